"""Shapes of the mediation API. Parties appear masked only."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class PartyIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=20)
    role: str = Field(pattern="^(applicant|respondent)$")
    is_company: bool = False


class MediationIn(Schema):
    studio: str = Field(min_length=1, max_length=64, description="调解工作室单位编码")
    parties: list[PartyIn] = Field(min_length=2, max_length=20)
    amount_in_dispute: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    claims: str = Field("", max_length=4000)
    source: str = Field("application", pattern="^(application|initiative|referral)$")


class WalkInIn(MediationIn):
    category: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=4000)
    address: str = Field("", max_length=300)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    node: str | None = Field(None, max_length=15)


class Created(Schema):
    id: int


class WalkInCreated(Schema):
    id: int
    case: int


class SessionIn(Schema):
    at: datetime
    place: str = Field("", max_length=200)
    record: str = Field("", max_length=8000)
    online: bool = False
    attendees: str = Field("", max_length=300)
    next_steps: str = Field("", max_length=500)


class ObligationIn(Schema):
    debtor: int | str = Field(description="当事人 id，或 applicant/respondent（该类首位当事人）")
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    due: date
    how: str = Field("", max_length=200)
    where: str = Field("", max_length=200)


class AgreementIn(Schema):
    obligations: list[ObligationIn] = Field(min_length=1, max_length=50)
    facts: str = Field("", max_length=4000)
    responsibilities: str = Field("", max_length=4000)


class AgreementCreated(Schema):
    id: int
    obligations: list[int]


class PaymentIn(Schema):
    obligation: int
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    at: datetime
    proof: str = Field("", max_length=300)


class PaymentCreated(Schema):
    id: int
    state: str
    money_recovered: Decimal


class ExtendIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class FailIn(Schema):
    referral: str = Field(pattern="^(litigation|arbitration|administrative)$")
    reason: str = Field("", max_length=500)


class CallbackIn(Schema):
    party: int
    satisfied: bool = True
    note: str = Field("", max_length=500)


class PartyOut(Schema):
    id: int
    role: str
    name: str
    phone: str
    id_number: str
    is_company: bool


class SessionOut(Schema):
    id: int
    at: datetime
    place: str
    online: bool
    record: str
    next_steps: str


class PaymentOut(Schema):
    id: int
    amount: Decimal
    at: datetime
    proof: str


class ObligationOut(Schema):
    id: int
    debtor: int
    debtor_name: str
    amount: Decimal
    paid: Decimal
    how: str
    where: str
    due: date
    performed_at: datetime | None
    payments: list[PaymentOut]


class MediationOut(Schema):
    id: int
    case: int
    case_number: str | None
    studio: str
    studio_name: str
    dispute_type: str
    source: str
    state: str
    state_label: str
    amount_in_dispute: Decimal
    money_recovered: Decimal
    accepted_at: datetime
    deadline: datetime
    extended: bool
    overdue: bool
    referral: str
    parties: list[PartyOut]
    sessions: list[SessionOut]
    obligations: list[ObligationOut]


class MediationListOut(Schema):
    id: int
    case: int
    studio: str
    dispute_type: str
    state: str
    amount_in_dispute: Decimal
    accepted_at: datetime
    deadline: datetime

    @staticmethod
    def resolve_case(obj: Any) -> int:
        return int(obj.case_id)

    @staticmethod
    def resolve_studio(obj: Any) -> str:
        return str(obj.studio.code)


class FollowUpIn(Schema):
    outcome: str = Field(pattern="^(mediated|referred|warned|no_risk)$")
    note: str = Field("", max_length=1000)
    method: str = Field("visit", pattern="^(visit|call)$")


class AlertOut(Schema):
    id: int
    case: int
    node: str
    address: str
    score: float
    reasons: list[str]
    related_cases: list[int]
    state: str
    raised_at: datetime
    follow_up_deadline: datetime
    overdue: bool
    followed_up_at: datetime | None
    outcome: str
    method: str
    note: str
    later_incident: int | None

    @staticmethod
    def resolve_case(obj: Any) -> int:
        return int(obj.case_id)

    @staticmethod
    def resolve_node(obj: Any) -> str:
        return str(obj.node.code)

    @staticmethod
    def resolve_related_cases(obj: Any) -> list[int]:
        return list(obj.related_case_ids)

    @staticmethod
    def resolve_later_incident(obj: Any) -> int | None:
        return obj.later_incident_id  # type: ignore[no-any-return]
