"""Reads of the KPI page: the loop's figures from `cases.selectors.kpi.kpi_loop`, and beside
them the breakdowns it does not make — cases by category and by state — counted over the very
same cases (the user's jurisdiction, the node's subtree, received in the period, merged
duplicates left out), with aggregate queries only."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet

from shouwang.cases.models import Case, CaseState
from shouwang.cases.selectors import SHANGHAI, is_admin, kpi_loop
from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.models import JurisdictionNode, NodeLevel, User
from shouwang.core.roles import COMMAND_ROLES
from shouwang.core.selectors import node_get, node_lineage, node_roots, scope_path, scope_q

# How a node's children are named, and whether the page drills into them (city → town →
# village; a village's grids are shown but are the bottom of the drill-down).
CHILD_LEVEL = {
    NodeLevel.CITY: NodeLevel.TOWN,
    NodeLevel.TOWN: NodeLevel.VILLAGE,
    NodeLevel.VILLAGE: NodeLevel.GRID,
}
DRILLABLE = frozenset({NodeLevel.TOWN, NodeLevel.VILLAGE})
STATE_ORDER = {state.value: i for i, state in enumerate(CaseState)}


def kpi_access_check(user: User) -> None:
    """Leaders, dispatchers and admins see the figures (the same rule as kpi_loop's)."""
    if not (is_admin(user) or (user.is_active and user.role in COMMAND_ROLES)):
        raise PermissionDeniedError()


@dataclass(frozen=True)
class Period:
    """Whole Asia/Shanghai days, `first` to `last` inclusive."""

    first: date
    last: date

    @property
    def since(self) -> datetime:
        return datetime(self.first.year, self.first.month, self.first.day, tzinfo=SHANGHAI)

    @property
    def until(self) -> datetime:
        end = self.last + timedelta(days=1)
        return datetime(end.year, end.month, end.day, tzinfo=SHANGHAI)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def kpi_node(*, user: User, code: str | None) -> JurisdictionNode:
    """The node the figures are for: `code` (NotFound outside the user's jurisdiction) or the
    top of the user's jurisdiction."""
    if code:
        return node_get(user=user, code=code)
    roots = list(node_roots(user=user).order_by("code")[:2])
    if len(roots) != 1:
        raise InvalidInput(extra={"field": "node"})
    return roots[0]


def kpi_lineage(*, user: User, node: JurisdictionNode) -> list[JurisdictionNode]:
    """The breadcrumb from the top of the user's jurisdiction down to `node`."""
    top = scope_path(user)
    return [n for n in node_lineage(node=node) if n.path.startswith(top)]


def _period_cases(user: User, node: JurisdictionNode, period: Period) -> QuerySet[Case]:
    return Case.objects.filter(
        scope_q(user, via="node"),
        node__path__startswith=node.path,
        received_at__gte=period.since,
        received_at__lt=period.until,
    ).exclude(state=CaseState.MERGED)


def cases_by_category(
    *, user: User, node: JurisdictionNode, period: Period
) -> list[dict[str, Any]]:
    """Case counts per category, the largest first."""
    kpi_access_check(user)
    rows = (
        _period_cases(user, node, period)
        .values("category__code", "category__name", "category__name_en")
        .annotate(cases=Count("pk"))
        .order_by("-cases", "category__code")
    )
    return [
        {
            "code": row["category__code"],
            "name": row["category__name"],
            "name_en": row["category__name_en"],
            "cases": row["cases"],
        }
        for row in rows
    ]


def cases_by_state(*, user: User, node: JurisdictionNode, period: Period) -> list[dict[str, Any]]:
    """Case counts per state, in the order of the loop."""
    kpi_access_check(user)
    rows = _period_cases(user, node, period).values("state").annotate(cases=Count("pk"))
    ordered = sorted(rows, key=lambda row: STATE_ORDER.get(row["state"], len(STATE_ORDER)))
    return [
        {"state": row["state"], "label": str(CaseState(row["state"]).label), "cases": row["cases"]}
        for row in ordered
    ]


@dataclass(frozen=True)
class KpiReport:
    """Everything the KPI page and its Excel export show, for one node and one period."""

    node: JurisdictionNode
    lineage: list[JurisdictionNode]
    period: Period
    loop: dict[str, Any]
    by_category: list[dict[str, Any]]
    by_state: list[dict[str, Any]]

    @property
    def child_level(self) -> str | None:
        level = CHILD_LEVEL.get(NodeLevel(self.node.level))
        return level.value if level else None

    @property
    def children_drillable(self) -> bool:
        return self.child_level in DRILLABLE


def kpi_report(*, user: User, period: Period, node_code: str | None = None) -> KpiReport:
    kpi_access_check(user)
    node = kpi_node(user=user, code=node_code)
    loop = kpi_loop(user=user, since=period.since, until=period.until, node_code=node.code)
    return KpiReport(
        node=node,
        lineage=kpi_lineage(user=user, node=node),
        period=period,
        loop=loop,
        by_category=cases_by_category(user=user, node=node, period=period),
        by_state=cases_by_state(user=user, node=node, period=period),
    )


SUGGEST_ROLES = frozenset({"dispatcher", "leader", "admin", "responder", "first_responder"})


def suggest_access_check(user: User) -> None:
    """Category suggestions are for the people who take calls (dispatchers) and their
    supervisors; citizens, volunteers and landlords get 403."""
    if not (is_admin(user) or (user.is_active and user.role in SUGGEST_ROLES)):
        raise PermissionDeniedError()
