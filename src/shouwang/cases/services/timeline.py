"""Appending to a case's timeline: every step is timestamped, attributed and kept (全流程可溯)."""

from collections.abc import Sequence
from typing import Any

from shouwang.cases import clock
from shouwang.cases.models import Case, TimelineEvent, TimelineKind
from shouwang.core.db_insert import insert_rows
from shouwang.core.models import User


def timeline_add(
    *,
    case: Case,
    kind: TimelineKind,
    actor: User | None,
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
) -> TimelineEvent:
    """Adds one event; the caller is inside the transaction that made the change."""
    event = TimelineEvent(
        case=case,
        at=clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        data=data or {},
        is_public=public,
    )
    insert_rows([event])
    return event


def timeline_event(
    *,
    case: Case,
    kind: TimelineKind,
    actor: User | None,
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
) -> TimelineEvent:
    """One event, not yet saved: for `timeline_add_all`."""
    return TimelineEvent(
        case=case,
        at=clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        data=data or {},
        is_public=public,
    )


def timeline_add_all(events: Sequence[TimelineEvent]) -> None:
    """Saves several events of one step in order, in one INSERT where the database reports the
    new ids back (PostgreSQL, SQLite 3.35+), else one by one (core.db_insert)."""
    insert_rows(events)
