"""API shapes of the closed loop. Bodies are validated here (bad input → 422 before any service
runs); what the caller may see of a case is decided by the selectors, and the caller's details
of a confidential case by `caller_visible`."""

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Field, Schema

from shouwang.cases.models import CallbackResult, Case, CaseChannel, CaseKind
from shouwang.cases.selectors.cases import caller_visible
from shouwang.core.schema_related import related

CoordSystem = Literal["wgs84", "gcj02"]


class CaseIn(Schema):
    category: str = Field(
        min_length=1, max_length=64, description="事件类别编码 (Open311 service_code)"
    )
    description: str = Field(min_length=1, max_length=4000)
    channel: CaseChannel = CaseChannel.API
    kind: CaseKind | None = None
    priority: int | None = Field(None, ge=1, le=4, description="1 紧急 … 4 较缓")
    # Range checked by the service, which recognises swapped latitude and longitude.
    lat: float | None = Field(None, strict=True, description="纬度 -90…90")
    lng: float | None = Field(None, strict=True, description="经度 -180…180")
    coord_system: CoordSystem = "wgs84"
    address: str = Field("", max_length=300)
    node: str | None = Field(None, max_length=15, description="辖区编码（无坐标时）")
    reporter_name: str = Field("", max_length=50)
    caller_phone: str = Field("", max_length=20)
    confidential: bool = False


class DispatchIn(Schema):
    people: list[str] = Field(default_factory=list, description="usernames")
    units: list[str] = Field(default_factory=list, description="unit codes")
    first_responder_people: list[str] = Field(default_factory=list)
    first_responder_units: list[str] = Field(default_factory=list)
    note: str = Field("", max_length=1000)


class ArriveIn(Schema):
    lat: float = Field(ge=-90, le=90, strict=True)
    lng: float = Field(ge=-180, le=180, strict=True)
    coord_system: CoordSystem = "wgs84"


class NoteIn(Schema):
    note: str = Field(min_length=1, max_length=4000)


class PublicSummaryIn(Schema):
    text: str = Field(max_length=500)


class OptionalNoteIn(Schema):
    note: str = Field("", max_length=1000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class VerifyIn(Schema):
    approved: bool = True
    reason: str = Field("", max_length=500, description="不通过时必填")
    note: str = Field("", max_length=1000)


class CallbackIn(Schema):
    result: CallbackResult
    note: str = Field("", max_length=1000)


class DivertIn(Schema):
    unit: str | None = Field(None, description="直接转到的部门或村社单位编码")
    category: str | None = Field(None, description="同时改为的非警务类别")
    note: str = Field("", max_length=1000)


class MergeIn(Schema):
    into: int


class TransferIn(Schema):
    unit: str = Field(min_length=1, max_length=64)
    reason: str = Field("", max_length=500)


class CallerRevealIn(Schema):
    field: Literal["caller_phone", "reporter_name"] = "caller_phone"


class CallerRevealOut(Schema):
    field: Literal["caller_phone", "reporter_name"]
    value: str


class PositionIn(Schema):
    lat: float = Field(ge=-90, le=90, strict=True)
    lng: float = Field(ge=-180, le=180, strict=True)
    coord_system: CoordSystem = "wgs84"
    available: bool | None = None
    on_duty: bool | None = None


class PositionOut(Schema):
    lat: float
    lng: float
    reported_at: datetime
    available: bool
    on_duty: bool


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None = None
    resolve_parent = related("parent.code")
    is_police: bool
    is_public: bool
    default_priority: int
    keywords: str
    pinyin_initials: str


class TimelineOut(Schema):
    id: int
    at: datetime
    kind: str
    actor: str | None = None
    resolve_actor = related("actor.username")
    from_state: str
    to_state: str
    data: dict[str, Any]
    is_public: bool


class AssignmentOut(Schema):
    id: int
    person: str | None = None
    resolve_person = related("person.username")
    person_name: str | None = None
    resolve_person_name = related("person.display_name")
    unit: str | None = None
    resolve_unit = related("unit.code")
    unit_name: str | None = None
    resolve_unit_name = related("unit.name")
    role: str
    state: str
    round: int
    notified_at: datetime
    accepted_at: datetime | None
    arrived_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    cancelled_at: datetime | None
    distance_m: float | None
    within_radius: bool | None
    return_reason: str
    note: str


class AttachmentOut(Schema):
    id: int
    url: str
    content_type: str
    size: int
    sha256: str
    width: int
    height: int
    note: str
    created_at: datetime

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("api:download_attachment", args=[obj.case_id, obj.pk])


class CallbackOut(Schema):
    id: int
    result: str
    note: str
    by: str | None = None
    resolve_by = related("by.username")
    at: datetime


class CaseOut(Schema):
    id: int
    number: str | None
    state: str
    kind: str
    channel: str
    category: str
    resolve_category = related("category.code")
    category_name: str
    resolve_category_name = related("category.name")
    is_police: bool
    resolve_is_police = related("category.is_police")
    priority: int
    address: str
    lat: float | None
    lng: float | None
    node: str
    resolve_node = related("node.code")
    node_name: str
    resolve_node_name = related("node.name")
    responsible_unit: str | None = None
    resolve_responsible_unit = related("responsible_unit.code")
    responsible_unit_name: str | None = None
    resolve_responsible_unit_name = related("responsible_unit.name")
    received_at: datetime
    next_deadline_at: datetime | None
    diverted: bool
    merged_into: int | None = Field(None, alias="merged_into_id")


class CaseDetail(CaseOut):
    receipt_code: str
    description: str
    public_summary: str
    reporter_name: str = Field(description="报告人姓名（脱敏，如 张*）")
    caller_phone_masked: str
    confidential: bool
    dispatched_at: datetime | None
    accepted_at: datetime | None
    arrived_at: datetime | None
    feedback_at: datetime | None
    resolved_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    accept_deadline: datetime | None
    arrive_deadline: datetime | None
    feedback_deadline: datetime | None
    resolve_deadline: datetime | None
    round: int
    escalation_level: int
    reopened_count: int
    diverted_at: datetime | None
    diverted_to: str | None = None
    resolve_diverted_to = related("diverted_to.code")
    created_by: str | None = None
    resolve_created_by = related("created_by.username")
    timeline: list[TimelineOut]
    assignments: list[AssignmentOut]
    attachments: list[AttachmentOut]
    callbacks: list[CallbackOut]

    @staticmethod
    def resolve_reporter_name(obj: Case, context: dict[str, Any]) -> str:
        return obj.reporter_name_masked if _caller_shown(obj, context) else ""

    @staticmethod
    def resolve_caller_phone_masked(obj: Case, context: dict[str, Any]) -> str:
        return obj.caller_phone_masked if _caller_shown(obj, context) else ""

    @staticmethod
    def resolve_timeline(obj: Case) -> list[Any]:
        return list(obj.timeline.all())

    @staticmethod
    def resolve_assignments(obj: Case) -> list[Any]:
        return list(obj.assignments.all())

    @staticmethod
    def resolve_attachments(obj: Case) -> list[Any]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_callbacks(obj: Case) -> list[Any]:
        return list(obj.callbacks.all())


def _caller_shown(case: Case, context: dict[str, Any] | None) -> bool:
    request = (context or {}).get("request")
    user = getattr(request, "user", None)
    return user is not None and caller_visible(user=user, case=case)


class DuplicateOut(Schema):
    id: int
    number: str | None
    state: str
    received_at: datetime
    address: str
    distance_m: float | None
    minutes_apart: float
    same_caller: bool
    text_similarity: float
    score: float


class CaseCreated(CaseDetail):
    duplicates: list[DuplicateOut]

    @staticmethod
    def resolve_duplicates(obj: Case) -> list[dict[str, Any]]:
        return [
            {
                "id": d.case.pk,
                "number": d.case.number,
                "state": d.case.state,
                "received_at": d.case.received_at,
                "address": d.case.address,
                "distance_m": round(d.distance_m, 1) if d.distance_m is not None else None,
                "minutes_apart": round(d.minutes_apart, 1),
                "same_caller": d.same_caller,
                "text_similarity": round(d.text_similarity, 3),
                "score": d.score,
            }
            for d in getattr(obj, "intake_duplicates", [])
        ]


class PublicStepOut(Schema):
    at: datetime
    kind: str
    label: str


class TrackOut(Schema):
    number: str | None
    state: str
    state_label: str
    category_name: str
    received_at: datetime
    steps: list[PublicStepOut]


class SuggestedPersonOut(Schema):
    username: str
    name: str
    role: str
    unit: str | None
    distance_m: float
    reported_at: datetime
    open_assignments: int
    already_assigned: bool


class SuggestedUnitOut(Schema):
    code: str
    name: str
    kind: str
    distance_m: float


class SuggestionsOut(Schema):
    origin: dict[str, float] | None
    responders: list[SuggestedPersonOut]
    first_responder_people: list[SuggestedPersonOut]
    first_responder_units: list[SuggestedUnitOut]
    first_responder_radius_m: float


class StepRateOut(Schema):
    due: int
    on_time: int
    rate: float | None


class LoopMetricsOut(Schema):
    cases: int
    arrival_needed: int
    arrived_within_8_min: int
    arrival_rate_8_min: float | None
    on_time: dict[str, StepRateOut]
    diverted: int
    callbacks_satisfied: int
    callbacks_unsatisfied: int
    callbacks_unreachable: int
    satisfaction_rate: float | None


class DayMetricsOut(LoopMetricsOut):
    day: date


class ChildMetricsOut(LoopMetricsOut):
    code: str
    name: str


class LoopKpiOut(Schema):
    since: datetime
    until: datetime
    node: str | None
    node_name: str | None
    totals: LoopMetricsOut
    by_day: list[DayMetricsOut]
    by_child: list[ChildMetricsOut]
