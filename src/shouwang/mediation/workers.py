"""The mediation app's worker loop (core.workers): one round scores the dispute calls that came
in since the last round, links violent incidents to earlier alerts, escalates overdue files and
follow-ups, and reminds of obligations falling due. Every part marks what it did (a RiskScore
row per case and trigger, `*_noted_at`/`escalated_at` columns), so two rounds or two machines
never do a thing twice."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from shouwang.cases import feeders
from shouwang.mediation import alerts, timers
from shouwang.mediation.models import RiskScore
from shouwang.mediation.risk import DISPUTE_FAMILY, VIOLENT_CATEGORIES, WATCHED_CATEGORIES

# Only fresh calls are scored: a case older than this when the sweep first sees it (a loop
# stopped for a day) is still scored; older ones are history, not a call "being taken".
SCORE_WINDOW = timedelta(days=2)
BATCH = 50


def _unscored(trigger: str, kinds: Q, now: datetime) -> list[feeders.Case]:
    scored = RiskScore.objects.filter(case=OuterRef("pk"), trigger=trigger)
    return list(
        feeders.Case.objects.filter(kinds, received_at__gte=now - SCORE_WINDOW)
        .exclude(Exists(scored))
        .select_related("category", "node")
        .order_by("received_at", "pk")[:BATCH]
    )


DISPUTES_Q = (
    Q(kind=feeders.CaseKind.DISPUTE)
    | Q(category__code__in=[*WATCHED_CATEGORIES, DISPUTE_FAMILY])
    | Q(category__parent__code=DISPUTE_FAMILY)
)
VIOLENT_Q = Q(category__code__in=VIOLENT_CATEGORIES)


def risk_sweep(*, now: datetime) -> int:
    handled = 0
    for case in _unscored("intake", DISPUTES_Q, now):
        handled += alerts.risk_case_score(case=case) is not None
    for case in _unscored("incident", VIOLENT_Q & ~DISPUTES_Q, now):
        if alerts.risk_case_score(case=case, trigger="incident") is not None:
            alerts.incident_link(case=case)
            handled += 1
    return handled


def tick() -> int:
    now = timezone.now()
    return (
        risk_sweep(now=now)
        + timers.files_overdue_escalate(now=now)
        + timers.obligations_remind(now=now)
        + alerts.alerts_escalate(now=now)
    )
