"""The demo step: three mediation studios named after seed 000's (义乌商姐, 云溪嫂, 邻家曹阿叔),
each staffed with mediators (the demo login `mediator` works in the first), holding files in
every state — accepted, mediating with a session today, agreed and part paid, performed,
failed with a referral, and one past its time limit — and repeat noise calls at one address
per studio town that the risk sweep turns into open alerts. Everything goes through the real
services, so the timeline, figures and outbox show what live use would."""

from datetime import timedelta
from decimal import Decimal
from random import Random

from django.db import transaction
from django.utils import timezone

from shouwang.cases import feeders
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, Unit, UnitKind, User
from shouwang.core.services.people import person_create
from shouwang.mediation import services, timers, workers
from shouwang.mediation.models import MediationFile

STUDIOS = [
    ("MS-SHANGJIE", "义乌商姐调解工作室", "商姐"),
    ("MS-YUNXISAO", "云溪嫂调解工作室", "云溪嫂"),
    ("MS-CAOASHU", "邻家曹阿叔工作室", "曹阿叔"),
]
DISPUTES = [
    ("neighbour_dispute", "楼上漏水导致楼下天花板受损，双方就赔偿发生争执", Decimal("6800")),
    ("labour_dispute", "饰品加工厂拖欠八名工人两个月工资", Decimal("96000")),
    ("rental_dispute", "房东扣押押金，租客要求退还", Decimal("3000")),
    ("consumer_dispute", "网购小商品质量问题，买卖双方就退款争执", Decimal("12500")),
    ("neighbour_dispute", "邻居因楼道堆放杂物多次争吵", Decimal("0")),
    ("labour_dispute", "装修工人工伤赔偿纠纷", Decimal("42000")),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"


def _grids(town: JurisdictionNode) -> list[JurisdictionNode]:
    return list(
        JurisdictionNode.objects.filter(level=NodeLevel.GRID, path__startswith=town.path).order_by(
            "code"
        )[:8]
    ) or [town]


def _point(node: JurisdictionNode) -> tuple[float | None, float | None]:
    """The node's centre, or its town's (the test city's grids have none)."""
    if node.centre_lat is not None:
        return node.centre_lat, node.centre_lng
    town = JurisdictionNode.objects.get(code=f"{node.code[:9]}000")
    return town.centre_lat, town.centre_lng


def _staff(town: JurisdictionNode, code: str, name: str, nickname: str) -> tuple[Unit, User]:
    studio, _created = Unit.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": UnitKind.MEDIATION_STUDIO,
            "node": town,
            "lng": town.centre_lng,
            "lat": town.centre_lat,
        },
    )
    lead = User.objects.filter(username="mediator", role=Role.MEDIATOR, node=town).first()
    if lead is None:
        lead = person_create(
            username=f"mediator_{code.lower().replace('-', '_')}",
            role=Role.MEDIATOR,
            node=town,
            full_name=nickname,
            unit=studio,
        )
    lead.unit = studio
    lead.save(update_fields=["unit"])
    # A second mediator of the studio (no password: a colleague in the figures, not a login).
    if not User.objects.filter(username=f"{lead.username}_2").exists():
        person_create(
            username=f"{lead.username}_2",
            role=Role.MEDIATOR,
            node=town,
            full_name=f"{nickname}搭档",
            unit=studio,
        )
    return studio, lead


def _file(
    rng: Random, mediator: User, studio: Unit, grid: JurisdictionNode, index: int, days_ago: int
) -> MediationFile:
    category, text, amount = DISPUTES[index % len(DISPUTES)]
    opened = feeders.case_open(
        actor=mediator,
        category_code=category,
        description=text,
        channel=feeders.CaseChannel.WALK_IN,
        kind=feeders.CaseKind.DISPUTE,
        lat=_point(grid)[0],
        lng=_point(grid)[1],
        address=f"{grid.name}{rng.randint(1, 80)}号",
        source="mediation",
    )
    surname = rng.sample(SURNAMES, 2)
    return services.mediation_open(
        actor=mediator,
        case_id=opened.case.pk,
        studio_code=studio.code,
        parties=[
            services.PartyIn(
                name=f"{surname[0]}建国",
                role="applicant",
                phone=f"139{rng.randint(0, 10**8 - 1):08d}",
            ),
            services.PartyIn(
                name=f"{surname[1]}明",
                role="respondent",
                phone=f"138{rng.randint(0, 10**8 - 1):08d}",
            ),
        ],
        amount_in_dispute=amount,
        claims=text,
        now=timezone.now() - timedelta(days=days_ago),
    )


def _through_states(
    rng: Random, mediator: User, studio: Unit, grids: list[JurisdictionNode]
) -> int:
    now = timezone.now()
    files = [
        _file(rng, mediator, studio, grids[i % len(grids)], i, d)
        for i, d in enumerate([1, 3, 12, 20, 25, 40])
    ]
    _accepted, mediating, agreed, performed, failed, _overdue = files
    for file in (mediating, agreed, performed, failed):
        services.session_record(
            actor=mediator,
            file_id=file.pk,
            at=now,
            place=f"{studio.name}调解室",
            record="双方到场陈述，调解员释法明理",
            next_steps="下次带齐票据",
        )
    for file, paid_share in ((agreed, Decimal("0.4")), (performed, Decimal("1"))):
        amount = file.amount_in_dispute or Decimal("2000")
        agreement = services.agreement_make(
            actor=mediator,
            file_id=file.pk,
            obligations=[
                services.ObligationIn(
                    debtor="respondent",
                    amount=amount,
                    due=(now + timedelta(days=5)).date(),
                    how="银行转账",
                    where=studio.name,
                )
            ],
            responsibilities="被申请人承担主要责任",
        )
        obligation = agreement.obligations.get()
        services.payment_record(
            actor=mediator,
            file_id=file.pk,
            obligation_id=obligation.pk,
            amount=(amount * paid_share).quantize(Decimal("0.01")),
            at=now,
            proof="转账凭证",
        )
    services.mediation_fail(
        actor=mediator, file_id=failed.pk, referral="litigation", reason="双方分歧过大"
    )
    timers.files_overdue_escalate(now=now)
    return len(files)


def _repeat_calls(rng: Random, town: JurisdictionNode, grid: JurisdictionNode) -> int:
    dispatcher = User.objects.filter(role=Role.DISPATCHER, is_active=True).order_by("pk").first()
    address = f"{grid.name}{rng.randint(81, 99)}号"
    for text in ("楼上深夜装修噪音扰民", "楼上又在敲打，噪音很大", "邻居喝酒后扬言要报复"):
        feeders.case_open(
            actor=dispatcher,
            category_code="noise",
            description=text,
            channel=feeders.CaseChannel.PHONE_110,
            kind=feeders.CaseKind.CALL,
            lat=_point(grid)[0],
            lng=_point(grid)[1],
            address=address,
        )
    return 3


def seed_demo_mediation(seed: int, scale: str) -> int:
    rng = Random(seed + 18)  # noqa: S311 - demo data, not secrets
    towns = list(JurisdictionNode.objects.filter(level=NodeLevel.TOWN).order_by("code")[:3])
    created = 0
    with transaction.atomic():
        for town, (code, name, nickname) in zip(towns, STUDIOS, strict=False):
            grids = _grids(town)
            if not grids:
                continue
            studio, mediator = _staff(town, code, name, nickname)
            created += _through_states(rng, mediator, studio, grids)
            created += _repeat_calls(rng, town, grids[-1])
    workers.risk_sweep(now=timezone.now())
    return created
