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

Memories are kept apart by `space`: "reference" (the rows above) and "access" (API tokens
and the people they belong to, forgotten on any save of a token or person), so a sign-in does
not throw away the routing table.

What comes out is shared by every thread of the process: callers read it and never change it."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from shouwang.core.versions import version_bump, version_get

T = TypeVar("T")
REFERENCE = "reference"
ACCESS = "access"
VERSION_KEY = "refcache:version"  # of the reference space; others append ":<space>"
CHECK_SECONDS = 1.0
MAX_AGE_SECONDS = 60.0


class _Space:
    def __init__(self, name: str) -> None:
        self.version_key = VERSION_KEY if name == REFERENCE else f"{VERSION_KEY}:{name}"
        self.lock = threading.Lock()
        self.entries: dict[Hashable, tuple[float, Any]] = {}
        self.seen_version: int | None = None
        self.checked_at = 0.0

    def follow_shared_version(self, now: float) -> None:
        if now - self.checked_at < CHECK_SECONDS:
            return
        version = version_get(self.version_key)
        with self.lock:
            self.checked_at = now
            if version != self.seen_version:
                self.entries.clear()
                self.seen_version = version

    def forget_local(self) -> None:
        with self.lock:
            self.entries.clear()
            self.checked_at = 0.0

    def forget_everywhere(self) -> None:
        self.forget_local()
        version_bump(self.version_key)


_spaces: dict[str, _Space] = {}


def _space(name: str) -> _Space:
    found = _spaces.get(name)
    if found is None:
        found = _spaces.setdefault(name, _Space(name))
    return found


def remembered(key: Hashable, load: Callable[[], T], *, space: str = REFERENCE) -> T:
    """The value kept under `key`, or what `load()` returns, kept for next time."""
    memory, now = _space(space), time.monotonic()
    memory.follow_shared_version(now)
    found = memory.entries.get(key)
    if found is not None and now - found[0] < MAX_AGE_SECONDS:
        return found[1]  # type: ignore[no-any-return]
    value = load()
    memory.entries[key] = (now, value)
    return value


def forget_key(key: Hashable, *, space: str = REFERENCE) -> None:
    _space(space).entries.pop(key, None)


def forget_local() -> None:
    """Forgets everything in this process (tests: a rolled-back test leaves rows behind)."""
    for memory in list(_spaces.values()):
        memory.forget_local()


def reference_changed(space: str = REFERENCE) -> None:
    """Forgets the space here and in every process; again after the commit, so nothing read
    from inside the writing transaction outlives it."""
    memory = _space(space)
    memory.forget_everywhere()
    transaction.on_commit(memory.forget_everywhere)


def remember_changes_of(*models: type[Model], space: str = REFERENCE) -> None:
    def changed(**_kwargs: Any) -> None:
        reference_changed(space)

    for model in models:
        uid = f"refcache:{space}:{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
