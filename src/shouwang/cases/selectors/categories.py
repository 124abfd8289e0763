"""The category taxonomy as intake screens and Open311 see it."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Category
from shouwang.core.errors import InvalidInput
from shouwang.core.refcache import remembered


def categories_list(
    *, search: str | None = None, public_only: bool = False, police: bool | None = None
) -> QuerySet[Category]:
    """Active categories, in taxonomy order. `search` matches the code, the Chinese name, the
    English name, the keywords or the pinyin initials ("ddc" finds 电动车违规充电)."""
    categories = Category.objects.filter(is_active=True).select_related("parent")
    if public_only:
        categories = categories.filter(is_public=True)
    if police is not None:
        categories = categories.filter(is_police=police)
    if search:
        term = search.strip()
        categories = categories.filter(
            Q(code__istartswith=term)
            | Q(name__contains=term)
            | Q(name_en__icontains=term)
            | Q(keywords__contains=term)
            | Q(pinyin_initials__startswith=term.lower())
        )
    return categories.order_by("sort", "code")


def category_by_code(code: str) -> Category:
    """An active category, or InvalidInput (a bad `category` in a request body is bad input).
    From process memory (core.refcache) after the first time: read it, do not change it."""
    category = remembered(("category", code), lambda: _active_category(code))
    if category is None:
        raise InvalidInput(
            _("未知的事件类别：%(code)s") % {"code": code}, extra={"field": "category"}
        )
    return category


def category_by_id(pk: int) -> Category:
    """A category, active or not (a case keeps the one it was received under), with its parent:
    from process memory after the first time. Read it, do not change it."""
    return remembered(
        ("category-id", pk), lambda: Category.objects.select_related("parent").get(pk=pk)
    )


def _active_category(code: str) -> Category | None:
    return Category.objects.filter(code=code, is_active=True).select_related("parent").first()
