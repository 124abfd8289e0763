"""Process memory for reference rows that every intake reads and almost nothing writes: the
category taxonomy, the jurisdiction tree, units, routing rules and service levels. Reading them
from the database cost six statements per case (about a fifth of the hottest path's CPU), and
they change a few times a year, by an administrator.

Any save or delete of a registered model (`remember_changes_of`, connected in the apps'
`ready`) forgets everything in this process at once and moves a version in the shared cache;
other processes see the version move within CHECK_SECONDS. Bulk writes, which send no
signals, call `reference_changed()` themselves. An entry is also never older than
MAX_AGE_SECONDS, which bounds the one case the version cannot see: a row read by the very
thread whose transaction wrote it, which was then rolled back (other threads and processes
never see uncommitted rows; the admin's own request does not read through this memory).

What comes out is shared by every thread of the process: callers read it and never change it."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
VERSION_KEY = "refcache:version"
CHECK_SECONDS = 1.0
MAX_AGE_SECONDS = 60.0

_lock = threading.Lock()
_entries: dict[Hashable, tuple[float, Any]] = {}
_seen_version: object = None
_checked_at = 0.0


def remembered(key: Hashable, load: Callable[[], T]) -> T:
    """The value kept under `key`, or what `load()` returns, kept for next time."""
    now = time.monotonic()
    _follow_shared_version(now)
    found = _entries.get(key)
    if found is not None and now - found[0] < MAX_AGE_SECONDS:
        return found[1]  # type: ignore[no-any-return]
    value = load()
    _entries[key] = (now, value)
    return value


def _follow_shared_version(now: float) -> None:
    global _seen_version, _checked_at
    if now - _checked_at < CHECK_SECONDS:
        return
    version = cache.get(VERSION_KEY)
    with _lock:
        _checked_at = now
        if version != _seen_version:
            _entries.clear()
            _seen_version = version


def forget_local() -> None:
    """Forgets everything in this process (tests: a rolled-back test leaves rows behind)."""
    global _checked_at
    with _lock:
        _entries.clear()
        _checked_at = 0.0


def reference_changed() -> None:
    """Forgets everything here and in every process; again after the commit, so nothing read
    from inside the writing transaction outlives it."""
    _forget_everywhere()
    transaction.on_commit(_forget_everywhere)


def _forget_everywhere() -> None:
    forget_local()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def _on_change(**_kwargs: Any) -> None:
    reference_changed()


def remember_changes_of(*models: type[Model]) -> None:
    for model in models:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"refcache:save:{model}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"refcache:delete:{model}")
