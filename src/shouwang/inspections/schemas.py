"""API shapes of the inspections app (the contract of issue #16, extended)."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class ItemOut(Schema):
    code: str
    text: str
    severity: str
    required: bool
    photo_required: bool
    legal_basis: str


class TemplateOut(Schema):
    code: str
    version: int
    name: str
    kind: str
    items: list[ItemOut]


class AnswerBody(Schema):
    item: str = Field(max_length=40)
    ok: bool
    note: str = Field("", max_length=500)
    photo: str = Field("", max_length=12_000_000)


class InspectionBody(Schema):
    premises: str = Field(max_length=64)
    template: str = Field(max_length=40)
    template_version: int | None = None
    answers: list[AnswerBody] = Field(max_length=200)
    lat: float | None = None
    lng: float | None = None
    draft: str = Field("", max_length=64, description="the phone's draft id (idempotency key)")


class InspectionCreated(Schema):
    id: int
    hazards: list[int]
    distance_m: float | None
    far_from_premises: bool


class InspectionOut(Schema):
    id: int
    premises: str
    template: str
    version: int
    inspector: str
    created_at: datetime
    failed_count: int
    distance_m: float | None
    far_from_premises: bool


class StepOut(Schema):
    kind: str
    round: int
    actor: str | None
    note: str
    at: datetime


class HazardOut(Schema):
    case_id: int
    premises: str
    premises_name: str
    item: str | None
    text: str
    level: str
    status: str
    case_state: str
    rounds: int
    found_at: datetime
    deadline: datetime
    first_deadline: datetime
    closed_at: datetime | None
    responsible: str | None


class HazardDetail(HazardOut):
    steps: list[StepOut]


class RectifyBody(Schema):
    note: str = Field(max_length=500)


class ReinspectBody(Schema):
    passed: bool
    note: str = Field("", max_length=500)


class EnforceBody(Schema):
    kind: str = Field(max_length=20)
    provision: str = Field("", max_length=40)
    amount: Decimal | None = None


class EnforcementOut(Schema):
    id: int
    number: str
    kind: str
    provision: str
    amount: Decimal | None
    document: str


class ProvisionOut(Schema):
    code: str
    law: str
    article: str
    summary: str
    party: str
    fine_min: Decimal | None
    fine_max: Decimal | None


class KpiChild(Schema):
    node: str
    name: str
    found: int
    rectified: int
    closure_rate: float | None
    on_time_rate: float | None


class HazardKpiOut(Schema):
    node: str
    found: int
    rectified: int
    closure_rate: float | None
    on_time_rate: float | None
    by_child: list[KpiChild]


class PlanBody(Schema):
    node: str = Field(max_length=15)
    year: int


class PlanProgressOut(Schema):
    id: int
    node: str
    year: int
    premises: int
    required: int
    done: int
    due: int
    overdue: int


class AdoptBody(Schema):
    case: int
    premises: str = Field(max_length=64)
    level: str = Field("general", max_length=10)


class TrainingBody(Schema):
    node: str = Field(max_length=15)
    topic: str = Field(max_length=200)
    held_on: date
    trainer: str = Field(max_length=50)
    premises: list[str] = Field(default_factory=list, max_length=500)
    attendees: dict[str, bool] = Field(
        default_factory=dict, description="username → passed 一懂三会"
    )


class TrainingOut(Schema):
    id: int
    node: str
    topic: str
    held_on: date
    trainer: str
    premises: list[str]
    attendees: int
    passed: int


class NoticeBody(Schema):
    node: str = Field(max_length=15)
    title: str = Field(max_length=100)
    body: str = Field(max_length=4000)


class NoticeOut(Schema):
    id: int
    node: str
    title: str
    body: str
    published_at: datetime
    read: bool
    readers: int


class SignatureOut(Schema):
    person: str
    unit: str
    signed_at: datetime


class AnswerOut(Schema):
    item: str
    ok: bool
    note: str
    photo: bool


class InspectionDetail(InspectionOut):
    answers: list[AnswerOut]
    signatures: list[SignatureOut]
