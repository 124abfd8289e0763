"""API shapes of the community app."""

from datetime import datetime

from ninja import Field, Schema


class PointIn(Schema):
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)


class CheckinIn(PointIn):
    post: str = Field(..., max_length=32)


class CheckinOut(Schema):
    id: int
    post: str
    distance_m: int
    at: datetime


class ShiftIn(Schema):
    team: str | None = None


class ShiftOut(Schema):
    id: int
    team: str
    started_at: datetime
    ended_at: datetime | None
    patrol_seconds: int


class TrackPointIn(PointIn):
    seq: int = Field(..., ge=0)
    at: datetime


class TrackIn(Schema):
    shift: int
    points: list[TrackPointIn]


class TrackOut(Schema):
    added: int


class HoursOut(Schema):
    key: str
    label: str
    hours: float


class AlertIn(PointIn):
    note: str = Field("", max_length=500)
    open_case: bool = False


class AlertCreated(Schema):
    alert_id: int
    case_id: int | None


class MemberTimesOut(Schema):
    person_id: int
    name: str
    ack_s: int | None
    arrive_s: int | None
    ack_on_time: bool
    arrive_on_time: bool


class AlertOut(Schema):
    alert_id: int
    group: str
    raised_at: datetime
    lat: float
    lng: float
    note: str
    case_id: int | None
    ack_target_s: int
    arrive_target_s: int
    members: list[MemberTimesOut]


class ResponseOut(Schema):
    ack_s: int | None
    arrive_s: int | None


class EntryOut(Schema):
    at: datetime
    kind: str
    kind_label: str
    amount: int
    memo: str


class WalletOut(Schema):
    balance: int
    entries: list[EntryOut]


class RedemptionIn(Schema):
    item: str = Field(..., max_length=32)
    quantity: int = 1


class RedemptionOut(Schema):
    id: int
    item: str
    quantity: int
    points: int
    state: str


class SummaryOut(Schema):
    node: str
    issued: int
    redeemed: int
    outstanding: int


class LeaderOut(Schema):
    person: str
    points: int


class CatalogueOut(Schema):
    code: str
    name: str
    points: int
    is_cash: bool


class FiguresOut(Schema):
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


class TerminalPositionIn(PointIn):
    pass


class TerminalEventIn(Schema):
    kind: str = Field(..., max_length=16)
    ref: str = Field("", max_length=300)


class TerminalSosIn(PointIn):
    note: str = Field("", max_length=500)


class FindingCreated(Schema):
    finding_id: int
    case_id: int


class UnitRatingOut(Schema):
    unit: str
    name: str
    kind: str
    month: str
    patrol_hours: float
    alerts_answered: float
    score: int
    stars: int
