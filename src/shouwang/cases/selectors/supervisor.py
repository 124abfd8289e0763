"""Reads of the supervisor pages: the verification queue (resolved cases awaiting 核查, verified
ones awaiting 结案) and the callback queue (closed cases nobody has called back since they were
closed). Both belong to the supervising level — leaders and admins — and are scoped to the
jurisdiction only: a leader verifies what happened in their area, not what their unit was sent
elsewhere to do (rules/visibility.py `require_leader` states the same rule)."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from shouwang.cases.models import (
    Assignment,
    AssignmentState,
    Callback,
    Case,
    TimelineEvent,
)
from shouwang.cases.rules.authority import is_admin
from shouwang.cases.selectors.kpi import CALLBACK_METRICS
from shouwang.cases.states import CaseState
from shouwang.core.errors import NotFound, PermissionDeniedError
from shouwang.core.models import JurisdictionNode, Role, User
from shouwang.core.selectors import node_get, node_roots, nodes_list, scope_q

# The two steps of the verification queue: 核查 (resolved) and then 结案 (verified).
VERIFY_STAGES = {"verify": (CaseState.RESOLVED,), "close": (CaseState.VERIFIED,)}


def is_supervisor(user: User) -> bool:
    return is_admin(user) or (user.is_active and user.role == Role.LEADER)


def supervisor_check(user: User) -> None:
    if not is_supervisor(user):
        raise PermissionDeniedError()


def _supervised(user: User) -> QuerySet[Case]:
    supervisor_check(user)
    return Case.objects.filter(scope_q(user, via="node"))


def _narrowed(
    user: User,
    cases: QuerySet[Case],
    *,
    category: str | None,
    node_code: str | None,
    search: str | None,
) -> QuerySet[Case]:
    if node_code:
        node = node_get(user=user, code=node_code)
        cases = cases.filter(node__path__startswith=node.path)
    if category:
        cases = cases.filter(category__code=category)
    if search:
        term = search.strip()
        cases = cases.filter(
            Q(number__iexact=term) | Q(address__contains=term) | Q(description__contains=term)
        )
    return cases


def verification_queue(
    *,
    user: User,
    stage: str | None = None,
    category: str | None = None,
    node_code: str | None = None,
    search: str | None = None,
) -> QuerySet[Case]:
    """Resolved cases awaiting 核查 and verified ones awaiting 结案 (`stage` "verify" or "close"
    for one of them), the longest waiting first, each with its photo count and the resolving
    assignments (`resolutions`) of the current round."""
    states = VERIFY_STAGES.get(stage or "", (CaseState.RESOLVED, CaseState.VERIFIED))
    cases = _narrowed(
        user,
        _supervised(user).filter(state__in=states),
        category=category,
        node_code=node_code,
        search=search,
    )
    return (
        cases.select_related("category", "node", "responsible_unit")
        .prefetch_related(_resolutions(), "attachments")
        .order_by("resolved_at", "id")
    )


def verification_counts(*, user: User) -> dict[str, int]:
    """How many cases wait for 核查 and for 结案 in the user's jurisdiction."""
    row = (
        _supervised(user)
        .filter(state__in=(CaseState.RESOLVED, CaseState.VERIFIED))
        .aggregate(
            verify=Count("pk", filter=Q(state=CaseState.RESOLVED)),
            close=Count("pk", filter=Q(state=CaseState.VERIFIED)),
        )
    )
    return {"verify": row["verify"], "close": row["close"]}


def _resolutions() -> Prefetch[str, QuerySet[Assignment], str]:
    """The assignments that reported a resolution, every round, as `case.resolutions`."""
    resolved = Assignment.objects.filter(state=AssignmentState.RESOLVED)
    return Prefetch(
        "assignments",
        queryset=resolved.select_related("person", "unit").order_by("round", "id"),
        to_attr="resolutions",
    )


def _called_back_since_closed() -> Exists:
    return Exists(Callback.objects.filter(case=OuterRef("pk"), at__gte=OuterRef("closed_at")))


def callback_queue(
    *,
    user: User,
    category: str | None = None,
    node_code: str | None = None,
    search: str | None = None,
) -> QuerySet[Case]:
    """Closed cases without a callback since they were closed, the oldest closure first. A
    case reopened by an unsatisfied callback and closed again is due a new callback."""
    cases = _supervised(user).filter(state=CaseState.CLOSED).exclude(_called_back_since_closed())
    cases = _narrowed(user, cases, category=category, node_code=node_code, search=search)
    return (
        cases.select_related("category", "node", "responsible_unit")
        .prefetch_related(_resolutions())
        .order_by("closed_at", "id")
    )


def callback_satisfaction(*, user: User, since: datetime, until: datetime) -> dict[str, Any]:
    """Callbacks on the cases received in [since, until) in the user's jurisdiction, counted
    the way the KPI page counts them (cases.selectors.kpi): satisfied ÷ (satisfied +
    unsatisfied), unreachable citizens left out; merged duplicates left out."""
    cases = (
        _supervised(user)
        .filter(received_at__gte=since, received_at__lt=until)
        .exclude(state=CaseState.MERGED)
    )
    row = Callback.objects.filter(case__in=cases.values("pk")).aggregate(**CALLBACK_METRICS)
    satisfied, unsatisfied = row["callbacks_satisfied"], row["callbacks_unsatisfied"]
    reached = satisfied + unsatisfied
    return {
        "satisfied": satisfied,
        "unsatisfied": unsatisfied,
        "unreachable": row["callbacks_unreachable"],
        "rate": round(satisfied / reached, 4) if reached else None,
    }


def supervised_case_get(*, user: User, case_id: int, detail: bool = True) -> Case:
    """One case of the user's jurisdiction, or NotFound; with `detail`, with what the
    verification panel shows (timeline, assignments, photos, callbacks)."""
    cases = _supervised(user).filter(pk=case_id).select_related("category", "node")
    if not detail:
        case = cases.select_related("responsible_unit").first()
        if case is None:
            raise NotFound()
        return case
    case = (
        cases.select_related("responsible_unit", "created_by")
        .prefetch_related(
            Prefetch(
                "timeline",
                queryset=TimelineEvent.objects.select_related("actor").order_by("at", "id"),
            ),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("person", "unit").order_by("id"),
            ),
            "attachments",
            Prefetch("callbacks", queryset=Callback.objects.select_related("by")),
        )
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def supervised_nodes(*, user: User) -> list[JurisdictionNode]:
    """The nodes a supervisor filters the queues by: the children of the top of their
    jurisdiction (towns for the city, villages for a town)."""
    supervisor_check(user)
    roots = list(node_roots(user=user)[:2])
    if len(roots) != 1:
        return roots
    return list(nodes_list(user=user, parent_code=roots[0].code))
