"""Thin API handlers of community forces: patrols, ten-household groups, points."""

from dataclasses import asdict

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from shouwang.community import config, selectors
from shouwang.community.models import AlertResponse, CatalogueItem, Checkin, Redemption, Shift
from shouwang.community.schemas import (
    AlertCreated,
    AlertIn,
    AlertOut,
    CatalogueOut,
    CheckinIn,
    CheckinOut,
    FiguresOut,
    FindingCreated,
    HoursOut,
    LeaderOut,
    PointIn,
    RedemptionIn,
    RedemptionOut,
    ResponseOut,
    ShiftIn,
    ShiftOut,
    SummaryOut,
    TerminalEventIn,
    TerminalPositionIn,
    TerminalSosIn,
    TrackIn,
    TrackOut,
    UnitRatingOut,
    WalletOut,
)
from shouwang.community.services import groups, patrols, redemptions, terminals
from shouwang.community.services.ledger import wallet_of
from shouwang.core.api import acting_user

router = Router(tags=["community"])
# An optional multipart file (ninja's File[...] annotation makes the part required).
OPTIONAL_PHOTO = File(None)  # type: ignore[type-arg]


# --- patrols -------------------------------------------------------------------------------


def _checkin_out(checkin: Checkin) -> CheckinOut:
    return CheckinOut(
        id=checkin.pk, post=checkin.post.code, distance_m=checkin.distance_m, at=checkin.at
    )


@router.post("/patrols/checkins", response={201: CheckinOut})
def create_checkin(request: HttpRequest, payload: CheckinIn) -> Status[CheckinOut]:
    """Scan of a post's QR code with the phone's position: 422 too far, 409 too soon."""
    checkin = patrols.checkin_record(
        actor=acting_user(request), post_code=payload.post, lat=payload.lat, lng=payload.lng
    )
    return Status(201, _checkin_out(checkin))


def _shift_out(shift: Shift) -> ShiftOut:
    return ShiftOut(
        id=shift.pk,
        team=shift.team.code,
        started_at=shift.started_at,
        ended_at=shift.ended_at,
        patrol_seconds=shift.patrol_seconds,
    )


@router.post("/patrols/shifts/start", response={201: ShiftOut})
def start_shift(request: HttpRequest, payload: ShiftIn) -> Status[ShiftOut]:
    return Status(
        201, _shift_out(patrols.shift_start(actor=acting_user(request), team_code=payload.team))
    )


@router.post("/patrols/shifts/end", response=ShiftOut)
def end_shift(request: HttpRequest) -> ShiftOut:
    return _shift_out(patrols.shift_end(actor=acting_user(request)))


@router.post("/patrols/tracks", response=TrackOut)
def add_track(request: HttpRequest, payload: TrackIn) -> TrackOut:
    """A batch of positions of one of your shifts; points already received are ignored."""
    points = [patrols.TrackInput(p.seq, p.at, p.lat, p.lng) for p in payload.points]
    added = patrols.track_add(actor=acting_user(request), shift_id=payload.shift, points=points)
    return TrackOut(added=added)


@router.post("/patrols/findings", response={201: FindingCreated})
def create_finding(
    request: HttpRequest,
    category: Form[str],
    description: Form[str],
    lat: Form[float],
    lng: Form[float],
    photo: UploadedFile | None = OPTIONAL_PHOTO,
) -> Status[FindingCreated]:
    """A patrol finding, into the loop as a case (channel patrol), with a photo."""
    finding = patrols.finding_report(
        actor=acting_user(request),
        category_code=category,
        description=description,
        lat=lat,
        lng=lng,
        photos=[photo] if photo is not None else [],
    )
    return Status(201, FindingCreated(finding_id=finding.pk, case_id=finding.case_id))


@router.get("/patrols/hours", response=list[HoursOut])
def patrol_hours(
    request: HttpRequest, node: str, month: str | None = None, by: str = "team"
) -> list[HoursOut]:
    """Patrol hours by team or person for a node and month (rule: services/patrols.py)."""
    rows = selectors.patrol_hours_for(user=acting_user(request), node_code=node, month=month, by=by)
    return [HoursOut(key=r.key, label=r.label, hours=r.hours) for r in rows]


@router.get("/patrols/on-patrol", response=list[dict[str, object]])
def on_patrol(request: HttpRequest) -> list[dict[str, object]]:
    """Shifts on now in your jurisdiction, each with its positions so far."""
    return selectors.teams_on_patrol(user=acting_user(request))


# --- ten-household groups ------------------------------------------------------------------


@router.post("/groups/{code}/alert", response={201: AlertCreated})
def raise_alert(request: HttpRequest, code: str, payload: AlertIn) -> Status[AlertCreated]:
    alert = groups.alert_raise(
        actor=acting_user(request),
        group_code=code,
        lat=payload.lat,
        lng=payload.lng,
        note=payload.note,
        open_case=payload.open_case,
    )
    return Status(201, AlertCreated(alert_id=alert.pk, case_id=alert.case_id))


@router.post("/groups/nearest/{case_id}", response={201: AlertCreated})
def send_to_nearest_group(request: HttpRequest, case_id: int) -> Status[AlertCreated]:
    """Dispatcher: the ten-household group nearest the case, alerted as first responders."""
    alert = groups.case_send_to_nearest_group(actor=acting_user(request), case_id=case_id)
    return Status(201, AlertCreated(alert_id=alert.pk, case_id=alert.case_id))


@router.post("/groups/alerts/{alert_id}/ack", response=ResponseOut)
def ack_alert(request: HttpRequest, alert_id: int) -> ResponseOut:
    return _response_out(groups.alert_acknowledge(actor=acting_user(request), alert_id=alert_id))


@router.post("/groups/alerts/{alert_id}/arrive", response=ResponseOut)
def arrive_alert(request: HttpRequest, alert_id: int, payload: PointIn) -> ResponseOut:
    response = groups.alert_arrive(
        actor=acting_user(request), alert_id=alert_id, lat=payload.lat, lng=payload.lng
    )
    return _response_out(response)


def _response_out(response: AlertResponse) -> ResponseOut:
    raised = response.alert.raised_at
    return ResponseOut(
        ack_s=int((response.acked_at - raised).total_seconds()) if response.acked_at else None,
        arrive_s=(
            int((response.arrived_at - raised).total_seconds()) if response.arrived_at else None
        ),
    )


@router.get("/groups/alerts/{alert_id}", response=AlertOut)
def get_alert(request: HttpRequest, alert_id: int) -> AlertOut:
    """The alert with each member's acknowledgement and arrival seconds (None: not yet)."""
    detail = selectors.alert_detail(user=acting_user(request), alert_id=alert_id)
    alert = detail.alert
    return AlertOut(
        alert_id=alert.pk,
        group=alert.group.code,
        raised_at=alert.raised_at,
        lat=alert.lat,
        lng=alert.lng,
        note=alert.note,
        case_id=alert.case_id,
        ack_target_s=config.group_ack_target_s(),
        arrive_target_s=config.group_arrive_target_s(),
        members=[asdict(m) for m in detail.members],  # type: ignore[misc]
    )


# --- points --------------------------------------------------------------------------------


@router.get("/points/me", response=WalletOut)
def my_points(request: HttpRequest) -> WalletOut:
    """Your balance and statement, newest first."""
    statement = selectors.statement_of(user=acting_user(request))
    return WalletOut(balance=statement.balance, entries=[asdict(line) for line in statement.lines])  # type: ignore[misc]


@router.get("/points/catalogue", response=list[CatalogueOut])
def catalogue(request: HttpRequest) -> list[CatalogueItem]:
    """What your town's points exchange for."""
    wallet = wallet_of(person=acting_user(request))
    return list(CatalogueItem.objects.filter(town=wallet.town, is_active=True))


def _redemption_out(redemption: Redemption) -> RedemptionOut:
    return RedemptionOut(
        id=redemption.pk,
        item=redemption.item.code,
        quantity=redemption.quantity,
        points=redemption.points,
        state=redemption.state,
    )


@router.post("/points/redemptions", response={201: RedemptionOut})
def request_redemption(request: HttpRequest, payload: RedemptionIn) -> Status[RedemptionOut]:
    """Exchange points: 422 when the balance is short."""
    redemption = redemptions.redemption_request(
        actor=acting_user(request), item_code=payload.item, quantity=payload.quantity
    )
    return Status(201, _redemption_out(redemption))


@router.post("/points/redemptions/{redemption_id}/approve", response=RedemptionOut)
def approve_redemption(request: HttpRequest, redemption_id: int) -> RedemptionOut:
    return _redemption_out(
        redemptions.redemption_approve(actor=acting_user(request), redemption_id=redemption_id)
    )


@router.post("/points/redemptions/{redemption_id}/fulfil", response=RedemptionOut)
def fulfil_redemption(request: HttpRequest, redemption_id: int) -> RedemptionOut:
    return _redemption_out(
        redemptions.redemption_fulfil(actor=acting_user(request), redemption_id=redemption_id)
    )


@router.post("/points/redemptions/{redemption_id}/reject", response=RedemptionOut)
def reject_redemption(request: HttpRequest, redemption_id: int) -> RedemptionOut:
    return _redemption_out(
        redemptions.redemption_reject(actor=acting_user(request), redemption_id=redemption_id)
    )


@router.get("/points/summary", response=SummaryOut)
def points_summary(request: HttpRequest, node: str) -> SummaryOut:
    """Town staff: points issued, redeemed and outstanding (issued − redeemed)."""
    return SummaryOut(**asdict(selectors.points_summary(user=acting_user(request), node_code=node)))


@router.get("/points/leaderboard", response=list[LeaderOut])
def points_leaderboard(
    request: HttpRequest, node: str, month: str | None = None
) -> list[LeaderOut]:
    rows = selectors.leaderboard(user=acting_user(request), node_code=node, month=month)
    return [LeaderOut(person=r.person, points=r.points) for r in rows]


# --- figures and terminals -----------------------------------------------------------------


@router.get("/community/figures", response=FiguresOut)
def figures(request: HttpRequest, node: str | None = None, month: str | None = None) -> FiguresOut:
    """Points issued/redeemed, patrol hours, group alert times for a node and month."""
    found = selectors.community_figures(user=acting_user(request), node_code=node, month=month)
    return FiguresOut(**asdict(found))


@router.get("/community/unit-ratings", response=list[UnitRatingOut])
def unit_ratings(request: HttpRequest, node: str, month: str | None = None) -> list[UnitRatingOut]:
    """Participation stars of patrol teams and groups (rule: services/ratings.py)."""
    rows = selectors.unit_ratings(user=acting_user(request), node_code=node, month=month)
    return [
        UnitRatingOut(
            unit=r.unit.code,
            name=r.unit.name,
            kind=r.unit.kind,
            month=r.month.strftime("%Y-%m"),
            patrol_hours=r.patrol_hours,
            alerts_answered=r.alerts_answered,
            score=r.score,
            stars=r.stars,
        )
        for r in rows
    ]


@router.post("/terminals/{serial}/position", response={204: None})
def terminal_position(
    request: HttpRequest, serial: str, payload: TerminalPositionIn
) -> Status[None]:
    """A body-worn terminal's GPS report: its wearer's live position."""
    terminals.terminal_position_report(
        actor=acting_user(request), serial=serial, lat=payload.lat, lng=payload.lng
    )
    return Status(204, None)


@router.post("/terminals/{serial}/sos", response={201: dict[str, int]})
def terminal_sos(
    request: HttpRequest, serial: str, payload: TerminalSosIn
) -> Status[dict[str, int]]:
    """A body-worn terminal's SOS: an urgent case at its position."""
    case_id = terminals.terminal_sos(
        actor=acting_user(request),
        serial=serial,
        lat=payload.lat,
        lng=payload.lng,
        note=payload.note,
    )
    return Status(201, {"case_id": case_id})


@router.post("/terminals/{serial}/events", response={201: dict[str, int]})
def terminal_event(
    request: HttpRequest, serial: str, payload: TerminalEventIn
) -> Status[dict[str, int]]:
    """An intercom or video event: on the timeline of the case the wearer works (409: none)."""
    case_id = terminals.terminal_event(
        actor=acting_user(request), serial=serial, kind=payload.kind, ref=payload.ref
    )
    return Status(201, {"case_id": case_id})
