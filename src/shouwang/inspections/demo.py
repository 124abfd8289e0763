"""The demo step: a dozen premises in 稠城街道 with the demo landlord entered for the rental
houses, a year's inspections on them through the real services, hazards in every state
(awaiting rectification, awaiting re-inspection, in a second round, overdue and escalated,
closed), a fine with its decision, stars computed, the town's plan for the year, and the QR
labels printed to var/demo-qr-labels.pdf."""

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shouwang.core.models import JurisdictionNode, NodeLevel, Role, User
from shouwang.inspections.documents import qr_labels_pdf
from shouwang.inspections.models import ChecklistTemplate, Hazard, InspectionPlan
from shouwang.inspections.services.enforcement import enforcement_decide
from shouwang.inspections.services.hazards import (
    hazard_escalate_overdue,
    hazard_rectify,
    hazard_reinspect,
)
from shouwang.inspections.services.inspections import AnswerIn, inspection_submit
from shouwang.inspections.services.plans import plan_generate
from shouwang.inspections.services.stars import premises_stars_refresh
from shouwang.places.models import ContactRole, Premises, PremisesKind
from shouwang.places.services import alarm_contact_add, premises_create, premises_qr_issue

TOWN = "330782001000"
PLACES = [
    ("rental_house", "出租房"),
    ("rental_house", "出租房"),
    ("rental_house", "出租房"),
    ("rental_house", "出租房"),
    ("rental_house", "出租房"),
    ("nine_small", "小吃店"),
    ("nine_small", "理发店"),
    ("nine_small", "小旅馆"),
    ("shop", "五金商铺"),
    ("shop", "服装商铺"),
    ("enterprise", "饰品加工厂"),
    ("market", "农贸市场"),
]


def seed_demo_inspections(*, seed: int) -> int:
    inspector = User.objects.filter(username="inspector").first()
    landlord = User.objects.filter(username="landlord").first()
    dispatcher = User.objects.filter(role=Role.DISPATCHER, username="dispatcher").first()
    grids = list(
        JurisdictionNode.objects.filter(level=NodeLevel.GRID, path__contains=f"/{TOWN}/").order_by(
            "code"
        )[:6]
    )
    if inspector is None or landlord is None or not grids:
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    with transaction.atomic():
        places = [
            _premises(i, kind, label, grids, landlord) for i, (kind, label) in enumerate(PLACES)
        ]
        created = len(places)
        for place in places:
            created += _inspect(place, inspector, rng)
        _move_hazards(inspector, landlord, dispatcher or landlord)
        for place in places:
            premises_stars_refresh(premises=place)
        if not InspectionPlan.objects.filter(node__code=TOWN).exists():
            plan_generate(actor=inspector, node_code=TOWN, year=timezone.localdate().year)
    _print_labels(places)
    return created


def _premises(
    i: int, kind: str, label: str, grids: list[JurisdictionNode], landlord: User
) -> Premises:
    grid = grids[i % len(grids)]
    lat, lng = _centre(grid)
    place = premises_create(
        code=f"DEMO-INSP-{i + 1:03d}",
        name=f"稠城{label}{i + 1}号",
        kind=PremisesKind(kind),
        node=grid,
        address=f"{grid.name}幸福路{i + 1}号",
        lat=lat + 0.0005 * (i % 3),
        lng=lng + 0.0005 * (i // 3),
    )
    if kind == PremisesKind.RENTAL_HOUSE:
        alarm_contact_add(premises=place, role=ContactRole.LANDLORD, person=landlord)
    premises_qr_issue(premises=place)
    return place


def _centre(grid: JurisdictionNode) -> tuple[float, float]:
    if grid.centre_lat is not None and grid.centre_lng is not None:
        return grid.centre_lat, grid.centre_lng
    ring = (grid.boundary or {}).get("coordinates", [[[120.07, 29.3]]])[0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return (min(lats) + max(lats)) / 2, (min(lngs) + max(lngs)) / 2


def _inspect(place: Premises, inspector: User, rng: random.Random) -> int:
    template = (
        ChecklistTemplate.objects.filter(is_current=True, premises_kind=place.kind)
        .prefetch_related("items")
        .first()
    )
    if template is None:
        return 0
    items = list(template.items.all())
    failed = set(rng.sample([i.code for i in items], k=rng.choice([0, 1, 1, 2])))
    submitted = inspection_submit(
        actor=inspector,
        premises_code=place.code,
        template_code=template.code,
        answers=[
            AnswerIn(i.code, i.code not in failed, "现场发现" if i.code in failed else "")
            for i in items
        ],
        lat=place.lat,
        lng=place.lng,
        idempotency_key=f"demo:{place.code}",
    )
    return 1 + len(submitted.hazards)


def _move_hazards(inspector: User, landlord: User, dispatcher: User) -> None:
    """Walks the hazards through every state, in turn: left awaiting rectification, rectified
    (awaiting re-inspection), passed (closed), failed once (second round), overdue."""
    hazards = list(Hazard.objects.filter(premises__code__startswith="DEMO-INSP-").order_by("pk"))
    for n, hazard in enumerate(hazards):
        step = n % 5
        rectifier = landlord if hazard.responsible_id == landlord.pk else dispatcher
        if step in (1, 2, 3):
            hazard_rectify(actor=rectifier, case_id=hazard.pk, note="已整改，附照片")
        if step == 2:
            hazard_reinspect(actor=inspector, case_id=hazard.pk, passed=True, note="复查合格")
        if step == 3:
            hazard_reinspect(actor=inspector, case_id=hazard.pk, passed=False, note="仍未整改到位")
        if step == 4:
            Hazard.objects.filter(pk=hazard.pk).update(deadline=timezone.now() - timedelta(hours=1))
            hazard_escalate_overdue(case_id=hazard.pk)
            enforcement_decide(
                actor=inspector,
                case_id=hazard.pk,
                kind="fine",
                provision_code="ZJ-GAS-BUSINESS",
                amount=1000,
            )


def _print_labels(places: list[Premises]) -> None:
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    for place in places:
        place.refresh_from_db(fields=["qr_token"])
    pdf, _count = qr_labels_pdf(places, "http://127.0.0.1:8000")
    (settings.DATA_DIR / "demo-qr-labels.pdf").write_bytes(pdf)
