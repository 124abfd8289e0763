"""Reads for the big screen (大屏): today's figures and the newest cases of the jurisdiction."""

from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from shouwang.cases.models import (
    Case,
)
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.selectors.cases import visible_cases
from shouwang.cases.selectors.console import ARRIVAL_TARGET, console_check, with_timers
from shouwang.cases.states import OPEN_STATES, CaseState
from shouwang.core.models import User

# --- the big screen ---------------------------------------------------------------------------


def _today_start() -> datetime:
    now = timezone.now().astimezone(SHANGHAI)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def screen_figures(*, user: User) -> dict[str, Any]:
    """Counts by state of the open cases, and today's (Asia/Shanghai) received, dispatched,
    arrived within 8 minutes and closed: two aggregate queries."""
    console_check(user)
    cases = visible_cases(user).exclude(state=CaseState.MERGED)
    by_state = {
        row["state"]: row["n"]
        for row in cases.filter(state__in=OPEN_STATES | {CaseState.RESOLVED, CaseState.VERIFIED})
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    start = _today_start()
    today = cases.aggregate(
        received=Count("pk", filter=Q(received_at__gte=start)),
        dispatched=Count("pk", filter=Q(dispatched_at__gte=start)),
        arrived_within_8=Count(
            "pk",
            filter=Q(
                received_at__gte=start,
                arrived_at__isnull=False,
                arrived_at__lte=F("received_at") + ARRIVAL_TARGET,
            ),
        ),
        arrived=Count("pk", filter=Q(received_at__gte=start, arrived_at__isnull=False)),
        closed=Count("pk", filter=Q(closed_at__gte=start)),
    )
    states = [
        CaseState.RECEIVED,
        CaseState.DISPATCHED,
        CaseState.ACCEPTED,
        CaseState.ON_SCENE,
        CaseState.RESOLVED,
        CaseState.RETURNED,
        CaseState.TRANSFERRED,
        CaseState.ESCALATED,
    ]
    return {
        "by_state": [(s.value, s.label, by_state.get(s.value, 0)) for s in states],
        "open_total": sum(by_state.get(s, 0) for s in OPEN_STATES),
        "today": today,
        "arrival_rate": round(today["arrived_within_8"] / today["arrived"], 3)
        if today["arrived"]
        else None,
    }


def screen_newest(*, user: User, limit: int = 12) -> list[Case]:
    console_check(user)
    return with_timers(
        visible_cases(user)
        .exclude(state=CaseState.MERGED)
        .select_related("category", "node")
        .order_by("-received_at", "-id")[:limit]
    )
