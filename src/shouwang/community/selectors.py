"""Every read of the community app, scoped to the acting user: a volunteer reads their own
wallet and the alerts of their own groups; town staff read their jurisdiction's figures."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shouwang.community import config
from shouwang.community.models import (
    AccountKind,
    AlertResponse,
    GroupAlert,
    GroupMember,
    PointAccount,
    PointAward,
    PointEntry,
    Redemption,
    Shift,
    TrackPoint,
    UnitRating,
)
from shouwang.community.permissions import is_forces_staff, is_points_staff
from shouwang.community.services.ledger import balance_of
from shouwang.core.errors import InvalidInput, NotFound, PermissionDeniedError
from shouwang.core.models import JurisdictionNode, User
from shouwang.core.selectors import node_get, scope_q

STATEMENT_LIMIT = 200


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    kind: str
    kind_label: str
    amount: int  # signed: + into the wallet, − out of it
    memo: str


@dataclass(frozen=True)
class Statement:
    balance: int
    lines: list[StatementLine]


def statement_of(*, user: User, limit: int = STATEMENT_LIMIT) -> Statement:
    wallet = PointAccount.objects.filter(kind=AccountKind.WALLET, person=user).first()
    if wallet is None:
        return Statement(balance=0, lines=[])
    entries = PointEntry.objects.filter(Q(debit=wallet) | Q(credit=wallet)).order_by(
        "-created_at", "-id"
    )[:limit]
    lines = [
        StatementLine(
            at=e.created_at,
            kind=e.kind,
            kind_label=str(e.get_kind_display()),
            amount=e.amount if e.credit_id == wallet.pk else -e.amount,
            memo=e.memo,
        )
        for e in entries
    ]
    return Statement(balance=balance_of(wallet), lines=lines)


def awards_of(*, user: User) -> QuerySet[PointAward]:
    return PointAward.objects.filter(person=user).order_by("-created_at")[:50]


def redemptions_of(*, user: User) -> QuerySet[Redemption]:
    return Redemption.objects.filter(person=user).select_related("item")[:50]


def redemptions_for_staff(*, user: User, state: str | None = None) -> QuerySet[Redemption]:
    """Exchange requests of the towns in the staff member's jurisdiction, oldest waiting
    first. PermissionDenied for anyone but points staff."""
    if not is_points_staff(user):
        raise PermissionDeniedError()
    rows = Redemption.objects.filter(scope_q(user, via="item__town")).select_related(
        "person", "item"
    )
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("requested_at", "id")


@dataclass(frozen=True)
class PointsSummary:
    node: str
    issued: int
    redeemed: int
    outstanding: int


def _net(debit_kind: str, credit_kind: str, path: str) -> int:
    """Points moved from accounts of one kind to the other, less what moved back, for the
    towns under `path`."""

    def moved(a: str, b: str) -> int:
        total = PointEntry.objects.filter(
            debit__kind=a, credit__kind=b, debit__town__path__startswith=path
        ).aggregate(s=Sum("amount"))["s"]
        return int(total or 0)

    return moved(debit_kind, credit_kind) - moved(credit_kind, debit_kind)


def points_summary(*, user: User, node_code: str) -> PointsSummary:
    """issued (pool → wallets, net of reversals) − redeemed (wallets → redeemed, net of
    refunds) = outstanding (what the wallets hold), for the node's towns."""
    if not is_points_staff(user):
        raise PermissionDeniedError()
    return points_summary_unchecked(node_get(user=user, code=node_code))


@dataclass(frozen=True)
class LeaderRow:
    person: str
    points: int


def month_bounds(month: str | None) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of "YYYY-MM" in Asia/Shanghai."""
    now = timezone.localtime()
    year, mon = (int(month[:4]), int(month[5:7])) if month else (now.year, now.month)
    start = now.replace(year=year, month=mon, day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=year + (mon == 12), month=mon % 12 + 1)
    return start, end


def leaderboard(
    *, user: User, node_code: str, month: str | None, limit: int = 20
) -> list[LeaderRow]:
    """Who earned most in the node's towns in the month (credited awards)."""
    if not is_points_staff(user):
        raise PermissionDeniedError()
    node = node_get(user=user, code=node_code)
    start, end = month_bounds(month)
    rows = (
        PointAward.objects.filter(
            state="credited",
            town__path__startswith=node.path,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("person_id", "person__full_name", "person__username")
        .annotate(points=Sum("points"))
        .order_by("-points", "person_id")[:limit]
    )
    return [
        LeaderRow(person=r["person__full_name"] or r["person__username"], points=r["points"])
        for r in rows
    ]


@dataclass(frozen=True)
class MemberTimes:
    person_id: int
    name: str
    ack_s: int | None
    arrive_s: int | None
    ack_on_time: bool
    arrive_on_time: bool


@dataclass(frozen=True)
class AlertDetail:
    alert: GroupAlert
    members: list[MemberTimes]


def alert_detail(*, user: User, alert_id: int) -> AlertDetail:
    """Members of the alert's group and staff of its jurisdiction; anyone else: 404."""
    alert = (
        GroupAlert.objects.select_related("group__node", "raised_by").filter(pk=alert_id).first()
    )
    if alert is None:
        raise NotFound()
    member = GroupMember.objects.filter(group=alert.group, person=user).exists()
    staff = is_forces_staff(user) and alert.group.node.path.startswith(
        user.node.path if user.node else "\x00"
    )
    if not (member or staff):
        raise NotFound()
    responses = AlertResponse.objects.filter(alert=alert).select_related("person").order_by("id")
    return AlertDetail(alert=alert, members=[_times(alert, r) for r in responses])


def _seconds(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else max(0, int((end - start).total_seconds()))


def _times(alert: GroupAlert, response: AlertResponse) -> MemberTimes:
    ack_s = _seconds(alert.raised_at, response.acked_at)
    arrive_s = _seconds(alert.raised_at, response.arrived_at)
    return MemberTimes(
        person_id=response.person_id,
        name=response.person.display_name,
        ack_s=ack_s,
        arrive_s=arrive_s,
        ack_on_time=ack_s is not None and ack_s <= config.group_ack_target_s(),
        arrive_on_time=arrive_s is not None and arrive_s <= config.group_arrive_target_s(),
    )


@dataclass(frozen=True)
class AlertRates:
    alerts: int
    responses: int
    ack_rate: float  # share of members who acknowledged within the target
    arrive_rate: float


def alert_rates(*, node: JurisdictionNode, start: datetime, end: datetime) -> AlertRates:
    rows = AlertResponse.objects.filter(
        alert__group__node__path__startswith=node.path,
        alert__raised_at__gte=start,
        alert__raised_at__lt=end,
    ).values_list("alert__raised_at", "acked_at", "arrived_at")
    total = acked = arrived = 0
    alerts = GroupAlert.objects.filter(
        group__node__path__startswith=node.path, raised_at__gte=start, raised_at__lt=end
    ).count()
    for raised, ack, arrive in rows:
        total += 1
        acked += ack is not None and (ack - raised).total_seconds() <= config.group_ack_target_s()
        arrived += (
            arrive is not None
            and (arrive - raised).total_seconds() <= config.group_arrive_target_s()
        )
    return AlertRates(
        alerts=alerts,
        responses=total,
        ack_rate=round(acked / total, 3) if total else 0.0,
        arrive_rate=round(arrived / total, 3) if total else 0.0,
    )


@dataclass(frozen=True)
class HoursRow:
    key: str
    label: str
    hours: float


def patrol_hours(
    *, node: JurisdictionNode, start: datetime, end: datetime, by: str = "team"
) -> list[HoursRow]:
    """Patrol hours of the ended shifts that started in [start, end), by team or person (the
    hours rule: services/patrols.py)."""
    field = {
        "team": ("team__code", "team__name"),
        "person": ("person__username", "person__full_name"),
    }[by]
    rows = (
        Shift.objects.filter(
            node__path__startswith=node.path, started_at__gte=start, started_at__lt=end
        )
        .values(*field)
        .annotate(seconds=Sum("patrol_seconds"))
        .order_by("-seconds")
    )
    return [
        HoursRow(
            key=r[field[0]], label=r[field[1]] or r[field[0]], hours=round(r["seconds"] / 3600, 1)
        )
        for r in rows
    ]


def patrol_hours_for(
    *, user: User, node_code: str, month: str | None, by: str = "team"
) -> list[HoursRow]:
    """Patrol hours of a node in the user's jurisdiction, by team or person, for a month."""
    if not (is_points_staff(user) or is_forces_staff(user)):
        raise PermissionDeniedError()
    if by not in {"team", "person"}:
        raise InvalidInput(_("按队（team）或按人（person）统计。"))
    node = node_get(user=user, code=node_code)
    start, end = month_bounds(month)
    return patrol_hours(node=node, start=start, end=end, by=by)


def teams_on_patrol(*, user: User) -> list[dict[str, object]]:
    """Open shifts in the user's jurisdiction with their positions so far, for the console:
    two queries however many teams are out."""
    shifts = (
        Shift.objects.filter(scope_q(user, via="node"), ended_at__isnull=True)
        .select_related("team", "person")
        .prefetch_related(Prefetch("track", queryset=TrackPoint.objects.order_by("recorded_at")))
        .order_by("started_at")
    )
    return [
        {
            "team": shift.team.name,
            "person": shift.person.display_name,
            "since": shift.started_at.isoformat(),
            "track": [(p.lng, p.lat) for p in shift.track.all()],
        }
        for shift in shifts
    ]


@dataclass(frozen=True)
class Figures:
    node: str
    month: str
    issued: int
    redeemed: int
    outstanding: int
    patrol_hours: float
    shifts_on_now: int
    alerts: int
    ack_rate: float
    arrive_rate: float
    median_ack_s: int | None
    median_arrive_s: int | None


def community_figures(*, user: User, node_code: str | None, month: str | None) -> Figures:
    """The KPI figures of community forces for a node (default: the user's own)."""
    if not (is_points_staff(user) or is_forces_staff(user)):
        raise PermissionDeniedError()
    node = node_get(user=user, code=node_code) if node_code else user.node
    if node is None:
        raise NotFound()
    start, end = month_bounds(month)
    summary = points_summary_unchecked(node)
    rates = alert_rates(node=node, start=start, end=end)
    hours = sum(r.hours for r in patrol_hours(node=node, start=start, end=end))
    acks, arrivals = _response_seconds(node, start, end)
    return Figures(
        node=node.code,
        month=start.strftime("%Y-%m"),
        issued=summary.issued,
        redeemed=summary.redeemed,
        outstanding=summary.outstanding,
        patrol_hours=round(hours, 1),
        shifts_on_now=Shift.objects.filter(
            node__path__startswith=node.path, ended_at__isnull=True
        ).count(),
        alerts=rates.alerts,
        ack_rate=rates.ack_rate,
        arrive_rate=rates.arrive_rate,
        median_ack_s=_median(acks),
        median_arrive_s=_median(arrivals),
    )


def points_summary_unchecked(node: JurisdictionNode) -> PointsSummary:
    """The summary for a node the caller has already checked. `outstanding` is summed from the
    wallets themselves, independently of the two flows, so the identity is a real check."""
    issued = _net(AccountKind.POOL, AccountKind.WALLET, node.path)
    redeemed = _net(AccountKind.WALLET, AccountKind.REDEEMED, node.path)
    wallets = PointAccount.objects.filter(kind=AccountKind.WALLET, town__path__startswith=node.path)
    credited = PointEntry.objects.filter(credit__in=wallets).aggregate(s=Sum("amount"))["s"] or 0
    debited = PointEntry.objects.filter(debit__in=wallets).aggregate(s=Sum("amount"))["s"] or 0
    return PointsSummary(
        node=node.code,
        issued=issued,
        redeemed=redeemed,
        outstanding=int(credited) - int(debited),
    )


def _response_seconds(
    node: JurisdictionNode, start: datetime, end: datetime
) -> tuple[list[int], list[int]]:
    rows = AlertResponse.objects.filter(
        alert__group__node__path__startswith=node.path,
        alert__raised_at__gte=start,
        alert__raised_at__lt=end,
    ).values_list("alert__raised_at", "acked_at", "arrived_at")
    acks = [int((a - r).total_seconds()) for r, a, _x in rows if a is not None]
    arrivals = [int((v - r).total_seconds()) for r, _a, v in rows if v is not None]
    return acks, arrivals


def _median(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def unit_ratings(*, user: User, node_code: str, month: str | None) -> list[UnitRating]:
    """The month's participation stars of the teams and groups under a node."""
    if not (is_points_staff(user) or is_forces_staff(user)):
        raise PermissionDeniedError()
    node = node_get(user=user, code=node_code)
    start, _end = month_bounds(month)
    return list(
        UnitRating.objects.filter(
            unit__node__path__startswith=node.path, month=start.date().replace(day=1)
        )
        .select_related("unit")
        .order_by("-stars", "-score", "unit__code")
    )
