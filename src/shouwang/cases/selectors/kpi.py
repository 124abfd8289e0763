"""The loop's figures (DOMAIN.md, "Figures the dashboards must be able to show"), by day
(Asia/Shanghai) and by the jurisdiction's children, computed with aggregate queries — a handful
of queries whatever the number of cases.

- 8-minute arrival rate (seed 003: 89.2%): arrived_at − received_at ≤ 8 min, over the cases that
  needed someone on scene (an arrival deadline) and whose 8 minutes are over or who arrived.
- On-time rate per step: accepted / arrived / first feedback / resolved by its deadline, over the
  cases where the step had a deadline that has passed or the step was done.
- Diverted: non-police matters diverted (seed 003: 8,810).
- Callback satisfaction (seed 003: 99.1%): satisfied ÷ callbacks that reached the citizen.

Cases are counted on the day they were received. Merged duplicates are left out (they would
count one matter twice); cancelled false alarms count as cases but not in any rate."""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from shouwang.cases.models import Callback, CallbackResult, Case
from shouwang.cases.rules.authority import is_admin
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.states import CaseState
from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.models import JurisdictionNode, User
from shouwang.core.roles import COMMAND_ROLES
from shouwang.core.selectors import node_get, node_roots, scope_q

ARRIVAL_TARGET = timedelta(minutes=8)
DEFAULT_PERIOD = timedelta(days=7)
MAX_PERIOD = timedelta(days=400)
STEPS = {
    "accept": ("accepted_at", "accept_deadline"),
    "arrive": ("arrived_at", "arrive_deadline"),
    "feedback": ("feedback_at", "feedback_deadline"),
    "resolve": ("resolved_at", "resolve_deadline"),
}


def _case_metrics(now: datetime) -> dict[str, Count]:
    rated = ~Q(state=CaseState.CANCELLED)
    arrival_needed = (
        rated
        & Q(arrive_deadline__isnull=False)
        & (Q(arrived_at__isnull=False) | Q(received_at__lte=now - ARRIVAL_TARGET))
    )
    metrics = {
        "cases": Count("pk"),
        "arrival_needed": Count("pk", filter=arrival_needed),
        "arrived_within_8_min": Count(
            "pk", filter=arrival_needed & Q(arrived_at__lte=F("received_at") + ARRIVAL_TARGET)
        ),
        "diverted": Count("pk", filter=Q(diverted=True)),
    }
    for step, (done, deadline) in STEPS.items():
        due = (
            rated
            & Q(**{f"{deadline}__isnull": False})
            & (Q(**{f"{done}__isnull": False}) | Q(**{f"{deadline}__lte": now}))
        )
        metrics[f"{step}_due"] = Count("pk", filter=due)
        metrics[f"{step}_on_time"] = Count("pk", filter=due & Q(**{f"{done}__lte": F(deadline)}))
    return metrics


CALLBACK_METRICS = {
    "callbacks_satisfied": Count("pk", filter=Q(result=CallbackResult.SATISFIED)),
    "callbacks_unsatisfied": Count("pk", filter=Q(result=CallbackResult.UNSATISFIED)),
    "callbacks_unreachable": Count("pk", filter=Q(result=CallbackResult.UNREACHABLE)),
}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _shape(case_row: dict[str, Any], callback_row: dict[str, Any]) -> dict[str, Any]:
    satisfied = callback_row.get("callbacks_satisfied", 0)
    unsatisfied = callback_row.get("callbacks_unsatisfied", 0)
    return {
        "cases": case_row.get("cases", 0),
        "arrival_needed": case_row.get("arrival_needed", 0),
        "arrived_within_8_min": case_row.get("arrived_within_8_min", 0),
        "arrival_rate_8_min": _rate(
            case_row.get("arrived_within_8_min", 0), case_row.get("arrival_needed", 0)
        ),
        "on_time": {
            step: {
                "due": case_row.get(f"{step}_due", 0),
                "on_time": case_row.get(f"{step}_on_time", 0),
                "rate": _rate(case_row.get(f"{step}_on_time", 0), case_row.get(f"{step}_due", 0)),
            }
            for step in STEPS
        },
        "diverted": case_row.get("diverted", 0),
        "callbacks_satisfied": satisfied,
        "callbacks_unsatisfied": unsatisfied,
        "callbacks_unreachable": callback_row.get("callbacks_unreachable", 0),
        "satisfaction_rate": _rate(satisfied, satisfied + unsatisfied),
    }


def _period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    until = until or timezone.now()
    since = since or until - DEFAULT_PERIOD
    if timezone.is_naive(since) or timezone.is_naive(until):
        since = timezone.make_aware(since, SHANGHAI) if timezone.is_naive(since) else since
        until = timezone.make_aware(until, SHANGHAI) if timezone.is_naive(until) else until
    if since >= until or until - since > MAX_PERIOD:
        raise InvalidInput(extra={"field": "since", "max_days": MAX_PERIOD.days})
    return since, until


def _top_node(user: User, node_code: str | None) -> JurisdictionNode:
    if node_code:
        return node_get(user=user, code=node_code)
    roots = list(node_roots(user=user)[:2])
    if len(roots) != 1:
        raise InvalidInput(extra={"field": "node"})
    return roots[0]


def kpi_loop(
    *,
    user: User,
    since: datetime | None = None,
    until: datetime | None = None,
    node_code: str | None = None,
) -> dict[str, Any]:
    """The loop's figures for `node_code` (default: the top of the user's jurisdiction) over
    [since, until) (default: the last 7 days)."""
    if not (is_admin(user) or user.role in COMMAND_ROLES):
        raise PermissionDeniedError()
    since, until = _period(since, until)
    node = _top_node(user, node_code)
    now = timezone.now()
    cases = Case.objects.filter(
        scope_q(user, via="node"),
        node__path__startswith=node.path,
        received_at__gte=since,
        received_at__lt=until,
    ).exclude(state=CaseState.MERGED)
    callbacks = Callback.objects.filter(case__in=cases.values("pk"))
    metrics = _case_metrics(now)
    totals = _shape(cases.aggregate(**metrics), callbacks.aggregate(**CALLBACK_METRICS))
    return {
        "since": since,
        "until": until,
        "node": node.code,
        "node_name": node.name,
        "totals": totals,
        "by_day": _by_day(cases, callbacks, metrics),
        "by_child": _by_child(node, cases, callbacks, metrics),
    }


def _by_day(
    cases: QuerySet[Case], callbacks: QuerySet[Callback], metrics: dict[str, Count]
) -> list[dict[str, Any]]:
    day_rows: dict[date, dict[str, Any]] = {
        row["day"]: dict(row)
        for row in cases.annotate(day=TruncDate("received_at", tzinfo=SHANGHAI))
        .values("day")
        .annotate(**metrics)
        .order_by("day")
    }
    callback_rows: dict[date, dict[str, Any]] = {
        row["day"]: dict(row)
        for row in callbacks.annotate(day=TruncDate("case__received_at", tzinfo=SHANGHAI))
        .values("day")
        .annotate(**CALLBACK_METRICS)
        .order_by("day")
    }
    days: list[date] = sorted(day_rows)
    return [{"day": d, **_shape(day_rows[d], callback_rows.get(d, {}))} for d in days]


def _by_child(
    node: JurisdictionNode,
    cases: QuerySet[Case],
    callbacks: QuerySet[Callback],
    metrics: dict[str, Count],
) -> list[dict[str, Any]]:
    """Children of one node sit at one level and have codes of one length, so the first
    characters of a case's node path name the child it lies under."""
    children = list(node.children.order_by("code"))
    if not children:
        return []
    prefix = len(node.path) + len(children[0].code) + 1
    case_rows: dict[str, dict[str, Any]] = {
        row["child"]: dict(row)
        for row in cases.annotate(child=Substr("node__path", 1, prefix))
        .values("child")
        .annotate(**metrics)
        .order_by("child")
    }
    callback_rows: dict[str, dict[str, Any]] = {
        row["child"]: dict(row)
        for row in callbacks.annotate(child=Substr("case__node__path", 1, prefix))
        .values("child")
        .annotate(**CALLBACK_METRICS)
        .order_by("child")
    }
    return [
        {
            "code": child.code,
            "name": child.name,
            **_shape(case_rows.get(child.path, {}), callback_rows.get(child.path, {})),
        }
        for child in children
    ]
