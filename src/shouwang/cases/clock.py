"""The time the loop's services stamp on what they do. It is the real time, except inside
`backdated(...)`, which demo seeding and historical imports use to replay past cases through the
same services (so the data they produce obeys every rule the live loop does)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_backdated: ContextVar[datetime | None] = ContextVar("cases_backdated", default=None)


def now() -> datetime:
    return _backdated.get() or timezone.now()


@contextmanager
def backdated(at: datetime) -> Iterator[None]:
    if timezone.is_naive(at):
        raise ValueError("backdated() needs an aware datetime")
    token = _backdated.set(at)
    try:
        yield
    finally:
        _backdated.reset(token)
