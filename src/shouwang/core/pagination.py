"""The API's one pagination: django-ninja's page numbers, with the page number bounded so that an
out-of-range number answers 422 instead of overflowing the database's OFFSET (a 500)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 1_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
