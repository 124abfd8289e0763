"""A realistic fortnight of the loop over the demo city, replayed through the real services at
past times (`clock.backdated`): every demo case obeys the rules live cases do, and the figures
come out believable — arrivals around the 8-minute norm (seed 003: 89.2% within it), most
callbacks satisfied, non-police matters diverted, a few false alarms and duplicate calls, and
the last hours' cases still being worked."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from shapely.geometry import Point, shape

from shouwang.cases import clock, services
from shouwang.cases.demo.rules import demo_rules_install
from shouwang.cases.models import CallbackResult, Case, CaseChannel, Category
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.states import CaseState
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, Unit, UnitKind, User

# (category code, weight, descriptions); {place} becomes the community or village name.
MATTERS: list[tuple[str, int, list[str]]] = [
    ("fight", 10, ["{place}烧烤摊两伙人发生口角后打架", "{place}KTV门口有人持酒瓶打架"]),
    ("theft", 9, ["{place}停放的电动车被盗", "{place}商铺夜间被撬，丢失现金"]),
    ("fraud", 8, ["{place}居民称被冒充客服骗走两万元", "{place}有人通过刷单被骗"]),
    ("traffic_accident", 9, ["{place}路口两车追尾，无人受伤", "{place}电动车与行人相撞"]),
    ("missing_person", 3, ["{place}一名老人走失，穿灰色外套", "{place}六岁男孩与家人走散"]),
    ("gas_leak", 2, ["{place}出租房内闻到浓烈煤气味"]),
    ("fire", 2, ["{place}一楼商铺冒出浓烟"]),
    ("noise", 8, ["{place}夜间装修噪音扰民", "{place}广场舞音响声音过大"]),
    ("street_vending", 6, ["{place}流动摊贩占道经营", "{place}店铺出店经营占用人行道"]),
    ("neighbour_dispute", 7, ["{place}楼上漏水引发邻里纠纷", "{place}邻居因停车位争吵"]),
    ("labour_dispute", 4, ["{place}十余名工人讨要拖欠工资"]),
    ("fire_lane_blocked", 5, ["{place}小区消防通道被私家车堵塞"]),
    ("ebike_charging", 5, ["{place}出租房楼道内飞线给电动车充电"]),
    ("facility_damage", 3, ["{place}路口监控摄像头损坏", "{place}井盖缺失"]),
    ("garbage", 3, ["{place}路边建筑垃圾乱堆"]),
    ("consultation", 3, ["{place}居民咨询居住证办理"]),
]
NON_POLICE_CHANNELS = [CaseChannel.HOTLINE_12345, CaseChannel.APP, CaseChannel.WEB]
# 110 calls by hour of day: busy evenings, quiet small hours.
HOURLY = [2, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 6, 6, 6, 6, 7, 7, 8, 9, 9, 8, 6, 4]


@dataclass
class Town:
    node: JurisdictionNode
    grids: list[JurisdictionNode]
    responders: list[User]


@dataclass
class Cast:
    dispatcher: User
    leader: User
    towns: list[Town]
    categories: dict[str, Category] = field(default_factory=dict)


def seed_demo_cases(*, seed: int, count: int) -> int:
    """Adds `count` cases received over the last 14 days, in every state: most older ones
    closed with a callback, recent ones still being worked. Deterministic for a seed, a city
    and a day. Returns how many were created: 0 when the city lacks the people to work them."""
    cast = _cast()
    if cast is None:
        return 0
    demo_rules_install()
    rng, now = Random(seed), timezone.now()
    matters = [m for m in MATTERS if m[0] in cast.categories]
    weights = [m[1] for m in matters]
    for _ in range(count):
        code, _weight, texts = rng.choices(matters, weights=weights)[0]
        with transaction.atomic():
            _one_case(cast, rng, cast.categories[code], rng.choice(texts), now)
    return count


def _cast() -> Cast | None:
    city = JurisdictionNode.objects.filter(level=NodeLevel.CITY).order_by("code").first()
    if city is None:
        return None
    people = User.objects.filter(is_active=True, node__path__startswith=city.path)
    city_people = people.filter(node=city)  # they may act on every town's cases
    admin = _top(city_people.filter(role=Role.ADMIN))
    dispatcher = _top(city_people.filter(role=Role.DISPATCHER)) or admin
    leader = _top(city_people.filter(role=Role.LEADER)) or admin
    if dispatcher is None or leader is None:
        return None
    towns = [town for node in _towns() if (town := _town(node, people)) is not None]
    if not towns:
        return None
    return Cast(dispatcher, leader, towns, {c.code: c for c in Category.objects.all()})


def _towns() -> QuerySet[JurisdictionNode]:
    return JurisdictionNode.objects.filter(level=NodeLevel.TOWN).order_by("code")


def _town(node: JurisdictionNode, people: QuerySet[User]) -> Town | None:
    grids = list(
        JurisdictionNode.objects.filter(
            level=NodeLevel.GRID, path__startswith=node.path, boundary__isnull=False
        ).select_related("parent")
    )
    station = Unit.objects.filter(node=node, kind=UnitKind.POLICE_STATION).first()
    responders = list(people.filter(role=Role.RESPONDER, unit=station)[:10]) if station else []
    if not grids or not responders:
        return None
    return Town(node, grids, responders)


def _top(people: QuerySet[User]) -> User | None:
    return people.order_by("username").first()


def _received_at(rng: Random, now: datetime) -> datetime:
    """One case in eight from the last three hours, so the console shows live work."""
    if rng.random() < 0.12:
        return now - timedelta(minutes=rng.uniform(1, 180))
    midnight = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    day = midnight - timedelta(days=rng.randrange(1, 15))
    return day + timedelta(
        hours=rng.choices(range(24), weights=HOURLY)[0], minutes=rng.uniform(0, 60)
    )


def _point_in(grid: JurisdictionNode, rng: Random) -> tuple[float, float]:
    assert grid.boundary is not None  # demo grids all have one
    polygon = shape(grid.boundary)
    min_x, min_y, max_x, max_y = polygon.bounds
    for _ in range(50):
        lng, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if polygon.contains(Point(lng, lat)):
            return round(lat, 6), round(lng, 6)
    inside = polygon.representative_point()
    return inside.y, inside.x


@dataclass
class Replay:
    """The steps of one case at increasing past times; a step that would fall after the present
    is not taken, and neither is anything after it."""

    case_id: int
    at: datetime
    now: datetime

    def act(self, minutes: float, service: Callable[..., object], **kwargs: Any) -> bool:
        self.at += timedelta(minutes=minutes)
        if self.at >= self.now:
            return False
        with clock.backdated(self.at):
            service(case=self.case(), **kwargs)
        return True

    def case(self) -> Case:
        return Case.objects.select_related("category", "node", "responsible_unit").get(
            pk=self.case_id
        )


def _one_case(cast: Cast, rng: Random, category: Category, text: str, now: datetime) -> None:
    town = rng.choice(cast.towns)
    grid = rng.choice(town.grids)
    lat, lng = _point_in(grid, rng)
    # Non-police matters come by 12345 and the apps, and a third of them by 110 (to divert).
    police_line = category.is_police or rng.random() < 0.3
    channel = CaseChannel.PHONE_110 if police_line else rng.choice(NON_POLICE_CHANNELS)
    start = _received_at(rng, now)
    with clock.backdated(start):
        case = services.case_intake(
            actor=cast.dispatcher,
            category=category,
            description=text.format(place=grid.parent.name if grid.parent else grid.name),
            channel=channel,
            lat=lat,
            lng=lng,
            caller_phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            confidential=channel == CaseChannel.HOTLINE_12345 and rng.random() < 0.1,
        ).case
    replay, fate = Replay(case.pk, start, now), rng.random()
    if fate < 0.04:
        replay.act(rng.uniform(1, 5), services.case_cancel, actor=cast.dispatcher, reason="误报")
    elif fate < 0.07 and (into := _earlier_same_matter(case)) is not None:
        replay.act(rng.uniform(1, 4), services.case_merge, actor=cast.dispatcher, into=into)
    elif fate < 0.08 and category.is_police:  # a town station asks the city to take over
        replay.act(rng.uniform(2, 10), services.case_escalate, actor=cast.dispatcher, reason="涉众")
    elif category.is_police:
        _police(cast, rng, town, replay)
    elif channel == CaseChannel.PHONE_110:
        _diverted(cast, rng, replay)
    else:
        _work_order(cast, rng, replay)


def _earlier_same_matter(case: Case) -> Case | None:
    return (
        Case.objects.filter(
            category=case.category,
            node__parent=case.node.parent,
            received_at__lt=case.received_at,
        )
        .exclude(state__in=(CaseState.MERGED, CaseState.CANCELLED))
        .order_by("-received_at")
        .first()
    )


def _police(cast: Cast, rng: Random, town: Town, replay: Replay) -> None:
    responder = rng.choice(town.responders)
    dispatched = replay.act(
        rng.uniform(0.3, 3), services.case_dispatch, actor=cast.dispatcher, people=[responder]
    )
    if not dispatched:
        return
    if rng.random() < 0.03:
        replay.act(
            rng.uniform(1, 5), services.assignment_return, actor=responder, reason="非本所辖区"
        )
        return
    _work(cast, rng, replay, responder)


def _diverted(cast: Cast, rng: Random, replay: Replay) -> None:
    """A non-police matter called in to 110: diverted in one action to the town command and,
    mostly, straight on to whoever works it; some wait at the town command."""
    onward = _onward_unit(replay.case()) if rng.random() < 0.9 else None
    if not replay.act(
        rng.uniform(0.5, 4), services.case_divert, actor=cast.dispatcher, unit=onward
    ):
        return
    member = User.objects.filter(unit=onward, is_active=True).order_by("username").first()
    if onward is not None and member is not None:
        _work(cast, rng, replay, member)


def _work_order(cast: Cast, rng: Random, replay: Replay) -> None:
    """A 12345 or app report: routed, then dispatched to the unit that works it."""
    onward = _onward_unit(replay.case())
    member = User.objects.filter(unit=onward, is_active=True).order_by("username").first()
    if onward is None or member is None:
        return
    if replay.act(
        rng.uniform(2, 30), services.case_dispatch, actor=cast.dispatcher, units=[onward]
    ):
        _work(cast, rng, replay, member)


def _onward_unit(case: Case) -> Unit | None:
    routed = case.responsible_unit
    staffed = routed is not None and User.objects.filter(unit=routed, is_active=True).exists()
    if routed is not None and staffed and routed.kind != UnitKind.TOWN_COMMAND:
        return routed
    village = case.node if case.node.level == NodeLevel.VILLAGE else case.node.parent
    return Unit.objects.filter(node=village, kind=UnitKind.PATROL_TEAM, is_active=True).first()


def _work(cast: Cast, rng: Random, replay: Replay, who: User) -> None:
    accept_after = min(rng.expovariate(1 / 0.7), 6.0)  # most within a minute, a few slow
    if not replay.act(accept_after, services.assignment_accept, actor=who):
        return
    case = replay.case()
    if case.arrive_deadline is not None:
        # Arrival counted from receipt: about nine in ten within 8 minutes (seed 003: 89.2%).
        elapsed = (replay.at - case.received_at).total_seconds() / 60
        travel = max(rng.gauss(5.3, 2.0) - elapsed, 0.5)
        lat, lng = _near(case, rng, 60 if rng.random() < 0.93 else 600)
        if not replay.act(travel, services.assignment_arrive, actor=who, lat=lat, lng=lng):
            return
        note = "已到场，现场已控制"
        if not replay.act(rng.uniform(2, 20), services.assignment_feedback, actor=who, note=note):
            return
    note = "已处置完毕，当事人情绪稳定"
    if not replay.act(rng.uniform(15, 150), services.assignment_resolve, actor=who, note=note):
        return
    _supervise(cast, rng, replay)


def _near(case: Case, rng: Random, metres: float) -> tuple[float, float]:
    assert case.lat is not None and case.lng is not None
    angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(0, metres)
    d_lat = distance * math.cos(angle) / 111_320
    d_lng = distance * math.sin(angle) / (111_320 * math.cos(math.radians(case.lat)))
    return case.lat + d_lat, case.lng + d_lng


def _supervise(cast: Cast, rng: Random, replay: Replay) -> None:
    leader = cast.leader
    if not replay.act(rng.uniform(30, 240), services.case_verify, actor=leader):
        return
    if not replay.act(rng.uniform(5, 30), services.case_close, actor=leader):
        return
    roll = rng.random()
    result = (
        CallbackResult.SATISFIED
        if roll < 0.93
        else CallbackResult.UNREACHABLE
        if roll < 0.97
        else CallbackResult.UNSATISFIED
    )
    replay.act(rng.uniform(600, 2000), services.callback_record, actor=leader, result=result)
