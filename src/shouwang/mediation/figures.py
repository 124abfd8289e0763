"""The mediation figures for the KPI page and the bulletins (seed 000: 124 cases mediated,
¥19.13 million recovered): accepted, mediated successfully, success rate, money in dispute and
recovered, on-time rate — in total and by studio, mediator, town and dispute type; and the
民转刑 figures: alerts, followed up on time, later violent incidents. Aggregate queries over
the files the user sees, grouped in the database."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from shouwang.cases import feeders
from shouwang.core.models import JurisdictionNode, User
from shouwang.mediation.models import (
    OPEN_FILE_STATES,
    SUCCESS_STATES,
    AlertState,
    MediationFile,
    Payment,
    RiskScore,
)
from shouwang.mediation.selectors import alerts_list, files_visible_q

ZERO = Decimal("0")
GROUPS = {
    "studio": ("studio__code", "studio__name"),
    "mediator": ("mediators__username", "mediators__full_name"),
    "town": ("town__code", "town__name"),
    "type": ("dispute_type", "dispute_type"),
}


@dataclass(frozen=True)
class Period:
    """`since` inclusive, `until` exclusive; `node` narrows to that node's subtree."""

    since: datetime | None = None
    until: datetime | None = None
    node: JurisdictionNode | None = None


def _files(user: User, period: Period) -> QuerySet[MediationFile]:
    files = MediationFile.objects.filter(files_visible_q(user))
    if period.node is not None:
        files = files.filter(node__path__startswith=period.node.path)
    if period.since:
        files = files.filter(accepted_at__gte=period.since)
    if period.until:
        files = files.filter(accepted_at__lt=period.until)
    return files


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _aggregates(prefix: str = "") -> dict[str, Any]:
    concluded = ~Q(state__in=OPEN_FILE_STATES)
    return {
        "accepted": Count("pk", distinct=True),
        "succeeded": Count("pk", filter=Q(state__in=SUCCESS_STATES), distinct=True),
        "concluded": Count("pk", filter=concluded, distinct=True),
        "on_time": Count(
            "pk", filter=concluded & Q(concluded_at__lte=F("deadline")), distinct=True
        ),
        "amount_in_dispute": Coalesce(Sum("amount_in_dispute"), ZERO),
    }


def _row(values: dict[str, Any], recovered: Decimal) -> dict[str, Any]:
    return {
        "accepted": values["accepted"],
        "succeeded": values["succeeded"],
        "success_rate": _rate(values["succeeded"], values["concluded"]),
        "on_time_rate": _rate(values["on_time"], values["concluded"]),
        "amount_in_dispute": values["amount_in_dispute"],
        "money_recovered": recovered,
    }


def _recovered(files: QuerySet[MediationFile], key: str | None) -> dict[Any, Decimal]:
    payments = Payment.objects.filter(obligation__agreement__file__in=files)
    if key is None:
        total = payments.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
        return {None: total}
    rows = payments.values(f"obligation__agreement__file__{key}").annotate(
        total=Coalesce(Sum("amount"), ZERO)
    )
    return {row[f"obligation__agreement__file__{key}"]: row["total"] for row in rows}


def mediation_figures(*, user: User, period: Period | None = None) -> dict[str, Any]:
    period = period or Period()
    files = _files(user, period)
    totals = files.aggregate(**_aggregates())
    result: dict[str, Any] = {"totals": _row(totals, _recovered(files, None)[None])}
    for group, (key, label) in GROUPS.items():
        recovered = _recovered(files, key)
        rows = files.values(key, label).annotate(**_aggregates()).order_by(key)
        result[f"by_{group}"] = [
            {"code": row[key], "name": row[label], **_row(row, recovered.get(row[key], ZERO))}
            for row in rows
            if row[key] is not None
        ]
    return result


def risk_figures(*, user: User, period: Period | None = None) -> dict[str, Any]:
    period = period or Period()
    alerts = alerts_list(user=user, node=period.node)
    if period.since:
        alerts = alerts.filter(raised_at__gte=period.since)
    if period.until:
        alerts = alerts.filter(raised_at__lt=period.until)
    counts = alerts.aggregate(
        alerts=Count("pk"),
        open=Count("pk", filter=Q(state=AlertState.OPEN)),
        followed_up=Count("pk", filter=Q(state=AlertState.FOLLOWED_UP)),
        on_time=Count("pk", filter=Q(followed_up_at__lte=F("follow_up_deadline"))),
        # Due: followed up, or past the 24 hours; an open alert still in time is not counted.
        due=Count(
            "pk",
            filter=Q(state=AlertState.FOLLOWED_UP) | Q(follow_up_deadline__lt=timezone.now()),
        ),
        later_incidents=Count("pk", filter=Q(later_incident__isnull=False)),
    )
    counts["on_time_rate"] = _rate(counts["on_time"], counts["due"])
    return {**counts, **_incidents_among(user, period)}


def _incidents_among(user: User, period: Period) -> dict[str, Any]:
    """Later violent incidents among flagged and among unflagged dispute calls of the user's
    area: did the alerts pick the right ones, and did following them up help?"""
    scores = RiskScore.objects.filter(trigger="intake", case__in=_scored_cases(user, period))
    counts = scores.aggregate(
        flagged=Count("pk", filter=Q(alerted=True)),
        flagged_incidents=Count("pk", filter=Q(alerted=True, later_incident__isnull=False)),
        unflagged=Count("pk", filter=Q(alerted=False)),
        unflagged_incidents=Count("pk", filter=Q(alerted=False, later_incident__isnull=False)),
    )
    counts["flagged_incident_rate"] = _rate(counts["flagged_incidents"], counts["flagged"])
    counts["unflagged_incident_rate"] = _rate(counts["unflagged_incidents"], counts["unflagged"])
    return counts


def _scored_cases(user: User, period: Period) -> QuerySet[feeders.Case]:
    cases = feeders.Case.objects.filter(feeders.cases_visible_q(user))
    if period.node is not None:
        cases = cases.filter(node__path__startswith=period.node.path)
    if period.since:
        cases = cases.filter(received_at__gte=period.since)
    if period.until:
        cases = cases.filter(received_at__lt=period.until)
    return cases
