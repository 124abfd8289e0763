"""Appending to a case's timeline: every step is timestamped, attributed and kept (全流程可溯)."""

from typing import Any

from shouwang.cases import clock
from shouwang.cases.models import Case, TimelineEvent, TimelineKind
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
    return TimelineEvent.objects.create(
        case=case,
        at=clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        data=data or {},
        is_public=public,
    )
