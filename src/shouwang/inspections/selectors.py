"""Every read of the inspections app, scoped to the acting user: the premises and hazards of
their jurisdiction subtree; for a landlord, those of their own premises and the hazards they
must fix. The KPI and the public QR page are the only unscoped reads (the QR page shows no
detail and no personal data)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Ceil, Coalesce, Greatest, Least
from django.utils import timezone

from shouwang.core.errors import NotFound
from shouwang.core.models import JurisdictionNode, Role, User
from shouwang.core.selectors import node_get, node_lineage, scope_q
from shouwang.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    Hazard,
    HazardStatus,
    HazardStep,
    Inspection,
    InspectionPlan,
    Notice,
    NoticeRead,
    Provision,
    TrainingSession,
)
from shouwang.places.models import Premises
from shouwang.places.selectors import premises_visible_q


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


def inspection_get(*, user: User, inspection_id: int) -> Inspection:
    inspection = (
        inspections_list(user=user)
        .filter(pk=inspection_id)
        .prefetch_related("signatures__person", "answers__item")
        .first()
    )
    if inspection is None:
        raise NotFound()
    return inspection


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
    of those by their first deadline (按期结案率), with the same figures per child node. One
    GROUP BY on the hazards' node id (the same work as a plain GROUP BY), then the nodes' paths
    (one more small query) sum the rows into the children and the total.
    NotFound outside the user's jurisdiction."""
    node = node_get(user=user, code=node_code) if node_code else _user_root(user)
    subtree = JurisdictionNode.objects.filter(path__startswith=node.path)
    # By node id against the subtree's ids: no join to the node table per hazard row.
    hazards = Hazard.objects.filter(node_id__in=subtree.values("pk"))
    if since is not None:
        hazards = hazards.filter(found_at__gte=since)
    if until is not None:
        hazards = hazards.filter(found_at__lt=until)
    rows = cast(
        list[dict[str, Any]],
        list(hazards.order_by().values("node_id").annotate(**_FIGURES)),
    )
    paths = dict(subtree.filter(pk__in=[row["node_id"] for row in rows]).values_list("pk", "path"))
    children = list(JurisdictionNode.objects.filter(parent=node).order_by("code"))
    sums = {child.path: [0, 0, 0] for child in children}
    total = [0, 0, 0]
    for row in rows:
        figures = (row["found"], row["rectified"], row["on_time"])
        total = [a + b for a, b in zip(total, figures, strict=True)]
        child = sums.get(_child_path(paths[row["node_id"]], node.path))
        if child is not None:
            child[:] = [a + b for a, b in zip(child, figures, strict=True)]
    by_child = [
        {"node": c.code, "name": c.name, **HazardFigures(*sums[c.path]).as_dict()} for c in children
    ]
    return node, HazardFigures(*total), by_child


def _child_path(path: str, parent_path: str) -> str:
    """The path of the child of `parent_path` that `path` lies in ("" for the node itself)."""
    rest = path[len(parent_path) :]
    head, sep, _tail = rest.partition("/")
    return f"{parent_path}{head}/" if sep else ""


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
    whose `made` counts the inspections of the plan's year as they are recorded."""
    plan = InspectionPlan.objects.filter(scope_q(user, via="node"), pk=plan_id).select_related(
        "node"
    )
    found = plan.first()
    if found is None:
        raise NotFound()
    today = today or timezone.localdate()
    share = min(1.0, max(0.0, (today - date(found.year, 1, 1)).days / 365))
    number = IntegerField()
    done_each = Least(F("made"), F("visits"), output_field=number)
    expected_each = Ceil(F("visits") * Value(share), output_field=number)
    totals = found.entries.aggregate(
        premises=Count("pk"),
        required=Coalesce(Sum("visits", output_field=number), 0),
        done=Coalesce(Sum(done_each, output_field=number), 0),
        behind=Coalesce(
            Sum(
                Greatest(expected_each - done_each, Value(0), output_field=number),
                output_field=number,
            ),
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


def notices_visible_q(user: User) -> Q:
    """Notices published to the user's node or any node above it (a town's notice reaches its
    villages' volunteers and landlords), and those the user's own area published."""
    if user.node is None:
        return Q(pk__in=[])
    lineage = [n.pk for n in node_lineage(node=user.node)]
    return Q(node_id__in=lineage) | scope_q(user, via="node")


def notices_list(*, user: User) -> QuerySet[Notice]:
    read = NoticeRead.objects.filter(notice=OuterRef("pk"), person=user)
    return (
        Notice.objects.filter(notices_visible_q(user))
        .annotate(read=Exists(read), readers=Count("reads"))
        .select_related("node")
        .order_by("-published_at", "-id")
    )


def notice_get(*, user: User, notice_id: int) -> Notice:
    notice = Notice.objects.filter(notices_visible_q(user), pk=notice_id).first()
    if notice is None:
        raise NotFound()
    return notice


def trainings_list(*, user: User) -> QuerySet[TrainingSession]:
    return (
        TrainingSession.objects.filter(scope_q(user, via="node"))
        .annotate(
            attendees=Count("records", distinct=True),
            passed=Count("records", filter=Q(records__passed=True), distinct=True),
        )
        .select_related("node")
        .prefetch_related("premises")
        .order_by("-held_on", "-id")
    )
