"""Community forces in the demo city: the first town's village patrol teams with members,
lookout posts and patrol points, shifts over the past week with tracks (some on patrol now),
ten-household groups with answered alerts, body-worn terminals bound to responders, funded
town pools, catalogues and wallets (the demo `volunteer` login among them). Built through the
services where they allow it; past times are written directly, as the loop's demo does."""

import math
from datetime import timedelta
from random import Random

from django.db import transaction
from django.utils import timezone

from shouwang.community.models import (
    AlertResponse,
    BodyTerminal,
    CatalogueItem,
    Checkin,
    GroupAlert,
    GroupMember,
    PatrolPost,
    PostKind,
    RosterSlot,
    RuleCode,
    Shift,
    TeamMember,
    TrackPoint,
)
from shouwang.community.services.awards import award_grant
from shouwang.community.services.groups import alert_raise
from shouwang.community.services.ledger import budget_fund
from shouwang.community.services.patrols import patrol_seconds_of
from shouwang.community.services.ratings import unit_ratings_compute
from shouwang.community.services.redemptions import redemption_request
from shouwang.community.services.report_awards import report_awards_tick
from shouwang.community.services.terminals import terminal_bind
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, Unit, UnitKind, User
from shouwang.core.services.jurisdiction import unit_create

TEAMS = {"small": 3, "city": 8}
CATALOGUE = [
    ("rice", "大米 5 公斤", 30, False),
    ("oil", "食用油 1 桶", 40, False),
    ("cash10", "现金 10 元", 20, True),
]
DEGREE_M = 111_000


def seed_demo_community(*, seed: int, scale: str) -> int:
    rng = Random(seed)
    towns = list(JurisdictionNode.objects.filter(level=NodeLevel.TOWN).order_by("code")[:2])
    if not towns:
        return 0
    rows = 0
    with transaction.atomic():
        for town in towns:
            budget_fund(town=town, amount=20000, actor=None)
            for code, name, points, cash in CATALOGUE:
                CatalogueItem.objects.create(
                    code=f"{town.code}-{code}", town=town, name=name, points=points, is_cash=cash
                )
                rows += 1
        rows += _patrols(rng, towns[0], TEAMS.get(scale, 3))
        rows += _groups(rng, towns[0])
        rows += _terminals(towns[0])
    rows += report_awards_tick()
    rows += unit_ratings_compute()
    _volunteer_wallet(towns[0])
    return rows


def _offset(lat: float, lng: float, metres: float, bearing: float) -> tuple[float, float]:
    d_lat = metres * math.cos(bearing) / DEGREE_M
    d_lng = metres * math.sin(bearing) / (DEGREE_M * math.cos(math.radians(lat)))
    return lat + d_lat, lng + d_lng


def _patrols(rng: Random, town: JurisdictionNode, count: int) -> int:
    teams = list(
        Unit.objects.filter(kind=UnitKind.PATROL_TEAM, node__path__startswith=town.path)
        .select_related("node")
        .order_by("code")[:count]
    )
    volunteer = User.objects.filter(username="volunteer").first()
    rows = 0
    now = timezone.now()
    for index, team in enumerate(teams):
        members = list(User.objects.filter(node=team.node, role=Role.FIRST_RESPONDER)[:3])
        if index == 0 and volunteer is not None:
            members.append(volunteer)
        lat, lng = team.lat or 29.3, team.lng or 120.07
        posts = [
            PatrolPost.objects.create(
                code=f"{team.code}-P{n}",
                name=f"{team.name}{'瞭望哨' if n == 1 else '巡防点'}{n}",
                kind=PostKind.LOOKOUT if n == 1 else PostKind.POINT,
                node=team.node,
                team=team,
                lat=_offset(lat, lng, 300 * n, n)[0],
                lng=_offset(lat, lng, 300 * n, n)[1],
            )
            for n in (1, 2)
        ]
        for m, person in enumerate(members):
            TeamMember.objects.create(team=team, person=person, is_leader=m == 0)
            RosterSlot.objects.create(
                team=team, person=person, weekday=m % 7, starts="19:00", ends="23:00"
            )
            for day in range(1, 6):
                started = now - timedelta(days=day, hours=rng.randint(1, 4))
                rows += _shift(rng, team, person, started, lat, lng, posts, hours=rng.randint(1, 3))
        # Some on patrol now.
        on_now = members[0] if members and members[0] != volunteer else None
        if on_now is not None:
            rows += _shift(rng, team, on_now, now - timedelta(minutes=50), lat, lng, posts, None)
    return rows


def _shift(
    rng: Random,
    team: Unit,
    person: User,
    started: object,
    lat: float,
    lng: float,
    posts: list[PatrolPost],
    hours: int | None,
) -> int:
    assert isinstance(started, type(timezone.now()))
    ended = started + timedelta(hours=hours) if hours else None
    shift = Shift.objects.create(
        team=team, person=person, node=team.node, started_at=started, ended_at=ended
    )
    span = (ended or timezone.now()) - started
    steps = 12
    TrackPoint.objects.bulk_create(
        TrackPoint(
            shift=shift,
            seq=i + 1,
            recorded_at=started + span * (i / steps),
            lat=_offset(lat, lng, 50 * i, 0.5 * i)[0],
            lng=_offset(lat, lng, 50 * i, 0.5 * i)[1],
        )
        for i in range(steps + 1)
    )
    post = rng.choice(posts)
    Checkin.objects.create(
        post=post,
        person=person,
        shift=shift,
        lat=post.lat,
        lng=post.lng,
        distance_m=rng.randint(3, 40),
        at=started + span / 2,
    )
    if ended is not None:
        shift.patrol_seconds = patrol_seconds_of(shift)
        shift.save(update_fields=["patrol_seconds"])
        if person.node_id is not None and shift.patrol_seconds >= 3600:
            award_grant(
                source_key=f"shift:{shift.pk}",
                rule=RuleCode.PATROL_HOUR,
                person=person,
                units=shift.patrol_seconds // 3600,
            )
    return steps + 2


def _groups(rng: Random, town: JurisdictionNode) -> int:
    villages = list(town.children.order_by("code")[:2])
    volunteer = User.objects.filter(username="volunteer").first()
    rows = 0
    for v_index, village in enumerate(villages):
        lat, lng = village.centre_lat or 29.3, village.centre_lng or 120.07
        group = unit_create(
            code=f"{village.code}-SH1",
            name=f"{village.name}十户联防一组",
            kind=UnitKind.TEN_HOUSEHOLD_GROUP,
            node=village,
            location=(lng, lat),
        )
        people = list(
            User.objects.filter(node__path__startswith=village.path, role=Role.VOLUNTEER)[:9]
        )
        if v_index == 0 and volunteer is not None:
            people.append(volunteer)
        for n, person in enumerate(people):
            GroupMember.objects.create(
                group=group,
                person=person,
                household=f"{n + 1}号",
                is_head=n == 0,
                has_alarm_button=n % 3 == 0,
            )
        rows += len(people)
        for a in range(4):
            if not people:
                break
            alert = alert_raise(
                actor=people[0], group_code=group.code, lat=lat, lng=lng, note="可疑人员翻墙"
            )
            raised = timezone.now() - timedelta(days=a + 1, hours=rng.randint(0, 10))
            GroupAlert.objects.filter(pk=alert.pk).update(raised_at=raised)
            for response in AlertResponse.objects.filter(alert=alert):
                ack = raised + timedelta(seconds=rng.randint(15, 110))
                arrive = ack + timedelta(seconds=rng.randint(40, 200))
                response.acked_at, response.arrived_at = ack, arrive
                response.arrive_distance_m = rng.randint(5, 120)
                response.save(update_fields=["acked_at", "arrived_at", "arrive_distance_m"])
            rows += 1
    return rows


def _terminals(town: JurisdictionNode) -> int:
    responders = list(User.objects.filter(node=town, role=Role.RESPONDER).order_by("id")[:5])
    for n, person in enumerate(responders):
        terminal = BodyTerminal.objects.create(serial=f"JBM-{town.code}-{n + 1:03d}", node=town)
        terminal_bind(terminal=terminal, person=person)
    return len(responders)


def _volunteer_wallet(town: JurisdictionNode) -> None:
    """The demo volunteer has points to spend and one exchange waiting for approval."""
    volunteer = User.objects.filter(username="volunteer").first()
    if volunteer is None:
        return
    for n in range(4):
        award_grant(
            source_key=f"demo:report:{n}",
            rule=RuleCode.REPORT_VERIFIED,
            person=volunteer,
            memo="监控探头损坏照片",
        )
    item = CatalogueItem.objects.filter(town=town, code__endswith="-cash10").first()
    if item is not None:
        redemption_request(actor=volunteer, item_code=item.code, quantity=1)
