"""Every read of the inspections app, scoped to the acting user: the premises and hazards of
their jurisdiction subtree; for a landlord, those of their own premises and the hazards they
must fix. The KPI and the public QR page are the only unscoped reads (the QR page shows no
detail and no personal data)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Ceil, Coalesce, Greatest, Least, Substr
from django.utils import timezone

from shouwang.core.errors import NotFound
from shouwang.core.models import JurisdictionNode, Role, User
from shouwang.core.selectors import node_get, scope_q
from shouwang.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    Hazard,
    HazardStatus,
    HazardStep,
    Inspection,
    InspectionPlan,
    Provision,
)
from shouwang.places.models import Premises
from shouwang.places.selectors import premises_visible_q

SHANGHAI = ZoneInfo("Asia/Shanghai")


def templates_list(*, kind: str | None = None) -> QuerySet[ChecklistTemplate]:
    """The current version of each checklist, with its items; for a premises kind, the ones
    made for it and those for any kind."""
    templates = ChecklistTemplate.objects.filter(is_current=True)
    if kind:
        templates = templates.filter(premises_kind__in=["", kind])
    items = Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "id"))
    # A kind's own checklists first, then those for any kind (the phone page opens the first).
    return templates.prefetch_related(items).order_by("-premises_kind", "code")


def provisions_list() -> QuerySet[Provision]:
    return Provision.objects.filter(is_active=True).order_by("code")


def hazards_visible_q(user: User) -> Q:
    if user.role == Role.LANDLORD:
        own = Premises.objects.filter(premises_visible_q(user)).values("pk")
        return Q(responsible=user) | Q(premises_id__in=own)
    return scope_q(user, via="node")


def hazards_list(
    *, user: User, status: str | None = None, premises_code: str | None = None
) -> QuerySet[Hazard]:
    hazards = Hazard.objects.filter(hazards_visible_q(user)).select_related(
        "premises", "item", "case"
    )
    if status:
        hazards = hazards.filter(status=status)
    if premises_code:
        hazards = hazards.filter(premises__code=premises_code)
    return hazards.order_by("deadline", "case_id")


def hazard_get(*, user: User, case_id: int) -> Hazard:
    hazard = (
        Hazard.objects.filter(hazards_visible_q(user), case_id=case_id)
        .select_related("premises", "item", "case", "responsible", "rectified_by")
        .prefetch_related(Prefetch("steps", queryset=HazardStep.objects.select_related("actor")))
        .first()
    )
    if hazard is None:
        raise NotFound()
    return hazard


def inspections_list(*, user: User, premises_code: str | None = None) -> QuerySet[Inspection]:
    inspections = Inspection.objects.filter(
        premises__in=Premises.objects.filter(premises_visible_q(user))
    ).select_related("premises", "template", "inspector")
    if premises_code:
        inspections = inspections.filter(premises__code=premises_code)
    return inspections.order_by("-created_at", "-id")


@dataclass(frozen=True)
class HazardFigures:
    found: int
    rectified: int
    on_time: int

    @property
    def closure_rate(self) -> float | None:
        return round(self.rectified / self.found, 4) if self.found else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.rectified, 4) if self.rectified else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "rectified": self.rectified,
            "closure_rate": self.closure_rate,
            "on_time_rate": self.on_time_rate,
        }


_FIGURES: dict[str, Any] = {
    "found": Count("pk"),
    "rectified": Count("pk", filter=Q(status=HazardStatus.CLOSED)),
    "on_time": Count(
        "pk", filter=Q(status=HazardStatus.CLOSED, closed_at__lte=F("first_deadline"))
    ),
}


def hazard_kpi(
    *,
    user: User,
    node_code: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[JurisdictionNode, HazardFigures, list[dict[str, Any]]]:
    """Hazards found in the node's subtree (found between since and until), how many were
    closed (rectified and passed re-inspection: the closure rate, seed 001's 95%) and how many
    of those by their first deadline (按期结案率), with the same figures per child node — two
    queries, the children's by one GROUP BY on the path prefix. NotFound outside the user's
    jurisdiction."""
    node = node_get(user=user, code=node_code) if node_code else _user_root(user)
    hazards = Hazard.objects.filter(node__path__startswith=node.path)
    if since is not None:
        hazards = hazards.filter(found_at__gte=since)
    if until is not None:
        hazards = hazards.filter(found_at__lt=until)
    total = HazardFigures(**hazards.aggregate(**_FIGURES))
    children = list(JurisdictionNode.objects.filter(parent=node).order_by("code"))
    by_child: list[dict[str, Any]] = []
    if children:
        width = len(children[0].path)
        rows = (
            hazards.annotate(prefix=Substr("node__path", 1, width))
            .values("prefix")
            .annotate(**_FIGURES)
        )
        figures = {
            row["prefix"]: HazardFigures(row["found"], row["rectified"], row["on_time"])
            for row in cast(list[dict[str, Any]], list(rows))
        }
        for child in children:
            got = figures.get(child.path, HazardFigures(0, 0, 0))
            by_child.append({"node": child.code, "name": child.name, **got.as_dict()})
    return node, total, by_child


def _user_root(user: User) -> JurisdictionNode:
    if user.node is None:
        raise NotFound()
    return user.node


@dataclass(frozen=True)
class PublicSafetyCard:
    """What the public QR page may show: no names of people, no phones, no hazard details."""

    name: str
    kind: str
    kind_label: str
    stars: int | None
    colour: str
    last_inspected: datetime | None
    open_hazards: int
    premises_code: str
    address: str
    lat: float | None
    lng: float | None


STAR_COLOURS = {5: "green", 4: "green", 3: "yellow", 2: "orange", 1: "red"}


def public_safety_card(*, premises: Premises) -> PublicSafetyCard:
    last = Inspection.objects.filter(premises=premises).aggregate(last=Max("created_at"))["last"]
    open_count = Hazard.objects.filter(premises=premises).exclude(status=HazardStatus.CLOSED)
    return PublicSafetyCard(
        name=premises.name,
        kind=premises.kind,
        kind_label=str(premises.get_kind_display()),
        stars=premises.stars,
        colour=STAR_COLOURS.get(premises.stars or 0, "grey"),
        last_inspected=last,
        open_hazards=open_count.count(),
        premises_code=premises.code,
        address=premises.address,
        lat=premises.lat,
        lng=premises.lng,
    )


def hazards_overdue(*, now: datetime | None = None, limit: int = 200) -> QuerySet[Hazard]:
    """Hazards awaiting rectification past their deadline and not yet escalated this round
    (the system's own read, for the overdue sweep)."""
    now = now or timezone.now()
    return Hazard.objects.filter(
        status=HazardStatus.AWAITING_RECTIFICATION,
        deadline__lt=now,
        escalated_round__lt=F("rounds"),
    ).order_by("deadline")[:limit]


def premises_stars_stale(*, before: datetime, limit: int = 500) -> QuerySet[Premises]:
    """Premises whose stars were last computed before `before` (or never): the nightly pass."""
    return Premises.objects.filter(Q(stars_at__isnull=True) | Q(stars_at__lt=before)).order_by(
        "pk"
    )[:limit]


@dataclass(frozen=True)
class PlanProgress:
    plan_id: int
    node: str
    year: int
    premises: int
    required: int  # visits in the whole year
    done: int  # visits made (at most the planned number per premises)
    due: int  # visits still to make this year
    overdue: int  # visits that should have been made by today, pro rata, and were not


def plan_progress(*, user: User, plan_id: int, today: date | None = None) -> PlanProgress:
    """Progress of a plan in the user's area (404 otherwise): one aggregate over the entries,
    each with its inspections of the plan's year counted by a correlated subquery on the
    (premises, created_at) index."""
    plan = InspectionPlan.objects.filter(scope_q(user, via="node"), pk=plan_id).select_related(
        "node"
    )
    found = plan.first()
    if found is None:
        raise NotFound()
    today = today or timezone.localdate()
    start = datetime(found.year, 1, 1, tzinfo=SHANGHAI)
    end = datetime(found.year + 1, 1, 1, tzinfo=SHANGHAI)
    share = min(1.0, max(0.0, (today - start.date()).days / 365))
    visits = (
        Inspection.objects.filter(
            premises=OuterRef("premises_id"), created_at__gte=start, created_at__lt=end
        )
        .order_by()
        .values("premises")
        .annotate(n=Count("pk"))
        .values("n")
    )
    entries = found.entries.annotate(made=Coalesce(Subquery(visits), 0))
    number = IntegerField()
    done_each = Least(F("made"), F("visits"), output_field=number)
    expected_each = Ceil(F("visits") * Value(share), output_field=number)
    totals = entries.aggregate(
        premises=Count("pk"),
        required=Coalesce(Sum("visits", output_field=number), 0),
        done=Coalesce(Sum(done_each, output_field=number), 0),
        behind=Coalesce(
            Sum(Greatest(expected_each - done_each, Value(0), output_field=IntegerField())),
            0,
        ),
    )
    return PlanProgress(
        plan_id=found.pk,
        node=found.node.code,
        year=found.year,
        premises=totals["premises"],
        required=totals["required"],
        done=totals["done"],
        due=totals["required"] - totals["done"],
        overdue=int(totals["behind"]),
    )
