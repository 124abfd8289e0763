"""API shapes of the housing app. Personal data leaves only masked."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class TenancyIn(Schema):
    room: int
    name: str = Field(max_length=50)
    id_number: str = Field("", max_length=32)
    phone: str = Field(max_length=20)
    moved_in: date
    expected_end: date | None = None
    nationality: str = Field("CHN", max_length=3)
    passport_number: str = Field("", max_length=30)
    card: str = Field("", max_length=32)


class RegisteredOut(Schema):
    id: int
    card: str
    over_occupancy: bool
    registered_late: bool


class EndIn(Schema):
    moved_out: date


class EndOut(Schema):
    id: int
    moved_out: date
    cards_revoked: int
    cancelled_late: bool


class TenantOut(Schema):
    tenancy: int
    name: str
    id_number: str
    passport_number: str
    nationality: str
    phone: str
    moved_in: date
    expected_end: date | None
    moved_out: date | None = None
    card: str | None
    over_occupancy: bool


class RoomOut(Schema):
    id: int
    premises: str
    number: str
    floor: int | None
    area_m2: Decimal
    beds: int
    state: str
    tenants: list[TenantOut]
    listing: int | None


class LookupIn(Schema):
    id_number: str = Field("", max_length=32)
    nationality: str = Field("CHN", max_length=3)
    passport_number: str = Field("", max_length=30)


class TenancyRecordOut(Schema):
    tenancy: int
    room: int
    room_number: str
    premises: str
    premises_code: str
    node: str
    name: str
    id_number: str
    moved_in: date
    moved_out: date | None


class VacancyOut(Schema):
    id: int
    town: str
    node: str
    premises: str
    room: str
    rent: int
    area_m2: Decimal
    rules: str
    photos: list[str]
    available_from: date


class ListingIn(Schema):
    room: int
    rent: int
    available_from: date
    area_m2: Decimal | None = None
    rules: str = Field("", max_length=500)
    photos: list[str] = Field(default_factory=list)


class ArrivalIn(Schema):
    room: int
    arrived_on: date
    note: str = Field("", max_length=200)


class CountOut(Schema):
    key: str
    name: str
    people: int


class RateOut(Schema):
    since: date
    registered: int
    on_time: int
    on_time_rate: float | None
    cancelled: int
    cancelled_on_time: int
    cancelled_on_time_rate: float | None
    pending_arrivals: int


class DoorEventIn(Schema):
    serial: str
    card: str
    at: datetime
    id: str
    opened: bool = True


class DoorEventOut(Schema):
    id: int
    at: datetime
    controller: str
    opened: bool
    alarm_case: int | None
