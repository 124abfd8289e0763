"""Thin API handlers of the closed loop: parse, look the case up through a selector (404 outside
the caller's view), call one service, answer with the case as it now is. Mounted at /api/v1.

Statuses: 201 on creation; 409 for an action the case's state does not allow; 422 for bad input;
404 for a case the caller may not see; 403 for one they see but may not act on."""

from datetime import datetime

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from shouwang.cases import services
from shouwang.cases.models import Attachment, Case, Category, ResponderStatus, TimelineKind
from shouwang.cases.schemas import (
    ArriveIn,
    AttachmentOut,
    CallbackIn,
    CallerRevealIn,
    CallerRevealOut,
    CaseCreated,
    CaseDetail,
    CaseIn,
    CaseOut,
    CategoryOut,
    DispatchIn,
    DivertIn,
    LoopKpiOut,
    MergeIn,
    NoteIn,
    OptionalNoteIn,
    PositionIn,
    PositionOut,
    PublicSummaryIn,
    ReasonIn,
    SuggestionsOut,
    TrackOut,
    TransferIn,
    VerifyIn,
)
from shouwang.cases.selectors.cases import (
    attachment_get,
    caller_visible,
    case_as_created,
    case_detail_of,
    case_for_action,
    case_get,
    case_reference,
    case_refetch,
    case_track,
    cases_list,
)
from shouwang.cases.selectors.categories import categories_list, category_by_code
from shouwang.cases.selectors.kpi import kpi_loop
from shouwang.cases.selectors.suggestions import dispatch_suggestions
from shouwang.cases.selectors.targets import dispatch_people, unit_by_code, units_by_code
from shouwang.cases.services.attachments import max_upload_bytes
from shouwang.cases.services.public_summary import case_public_summary_set
from shouwang.core.errors import InvalidInput, NotFound, PermissionDeniedError
from shouwang.core.models import Unit, User
from shouwang.core.pagination import Pages
from shouwang.core.schemas import CallOut
from shouwang.core.selectors import node_get
from shouwang.core.services.pii import pii_reveal
from shouwang.core.telephony import call_link

router = Router(tags=["cases"])


def acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case(request: HttpRequest, case_id: int) -> tuple[User, Case]:
    """The acting user and the case row to act on (NotFound outside their view); the service
    locks it and checks the rest."""
    user = acting_user(request)
    return user, case_for_action(user=user, case_id=case_id)


def _after(user: User, case_id: int) -> Case:
    """The case as it is after an action, read once, in full. The actor was authorised by the
    service; an action such as a transfer can take the case out of their view, and they still
    get the answer."""
    return case_refetch(case_id=case_id)


@router.post("/cases", response={201: CaseCreated})
def create_case(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    """Receives a case from any channel. Answers 201 only after it is committed, with the
    likely duplicates you may see (same category, near in space and time, or same caller)."""
    user = acting_user(request)
    node = node_get(user=user, code=payload.node) if payload.node else None
    result = services.case_intake(
        actor=user,
        category=category_by_code(payload.category),
        description=payload.description,
        channel=payload.channel,
        kind=payload.kind,
        priority=payload.priority,
        lat=payload.lat,
        lng=payload.lng,
        coord_system=payload.coord_system,
        address=payload.address,
        node=node,
        reporter_name=payload.reporter_name,
        caller_phone=payload.caller_phone,
        confidential=payload.confidential,
    )
    if result.event is not None:
        case = case_as_created(case=result.case, received=result.event)
    else:
        case = _after(user, result.case.pk)
    case.intake_duplicates = result.duplicates  # type: ignore[attr-defined]
    return Status(201, case)


@router.get("/cases", response=list[CaseOut])
@paginate(Pages, page_size=50)
def list_cases(
    request: HttpRequest,
    state: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    priority: int | None = None,
    node: str | None = None,
    q: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    diverted: bool | None = None,
) -> object:
    """Cases you may see, newest first. `state` takes several values separated by commas;
    `node` narrows to a jurisdiction's subtree; `q` matches number, address or description;
    `since`/`until` bound the time received."""
    states = [s.strip() for s in state.split(",") if s.strip()] if state else None
    return cases_list(
        user=acting_user(request),
        state=states,
        category=category,
        kind=kind,
        channel=channel,
        priority=priority,
        node_code=node,
        search=q,
        since=since,
        until=until,
        diverted=diverted,
    )


@router.get("/cases/{case_id}", response=CaseDetail)
def get_case(request: HttpRequest, case_id: int) -> Case:
    """One case with its timeline, assignments, photos and callbacks."""
    return case_get(user=acting_user(request), case_id=case_id)


@router.post("/cases/{case_id}/dispatch", response=CaseDetail)
def dispatch_case(request: HttpRequest, case_id: int, payload: DispatchIn) -> Case:
    """Five-in-sync dispatch to people (usernames) and units (codes), plus first responders
    alerted in parallel. The service locks the case and answers 404 when the user may not see
    it; the answer is built from the case it hands back."""
    user = acting_user(request)
    first_people = dispatch_people(user=user, usernames=payload.first_responder_people)
    first: list[User | Unit] = [
        *first_people,
        *units_by_code(codes=payload.first_responder_units, field="first_responder_units"),
    ]
    people = dispatch_people(user=user, usernames=payload.people)
    case = services.case_dispatch(
        actor=user,
        case=case_id,
        people=people,
        units=units_by_code(codes=payload.units),
        first_responders=first,
        note=payload.note,
    )
    return case_detail_of(case=case, actor=user, people=[*people, *first_people])


@router.post("/cases/{case_id}/accept", response=CaseDetail)
def accept_case(request: HttpRequest, case_id: int) -> Case:
    user, case = _case(request, case_id)
    services.assignment_accept(actor=user, case=case)
    return _after(user, case_id)


@router.post("/cases/{case_id}/arrive", response=CaseDetail)
def arrive_case(request: HttpRequest, case_id: int, payload: ArriveIn) -> Case:
    """Arrival with the phone's position; outside the arrival radius it is recorded as such."""
    user, case = _case(request, case_id)
    services.assignment_arrive(
        actor=user, case=case, lat=payload.lat, lng=payload.lng, coord_system=payload.coord_system
    )
    return _after(user, case_id)


@router.post("/cases/{case_id}/feedback", response=CaseDetail)
def feedback_case(request: HttpRequest, case_id: int, payload: NoteIn) -> Case:
    user, case = _case(request, case_id)
    services.assignment_feedback(actor=user, case=case, note=payload.note)
    return _after(user, case_id)


@router.post("/cases/{case_id}/resolve", response=CaseDetail)
def resolve_case(request: HttpRequest, case_id: int, payload: NoteIn) -> Case:
    user, case = _case(request, case_id)
    services.assignment_resolve(actor=user, case=case, note=payload.note)
    return _after(user, case_id)


@router.post("/cases/{case_id}/public-summary", response=CaseDetail)
def set_public_summary(request: HttpRequest, case_id: int, payload: PublicSummaryIn) -> Case:
    """The outcome for the caller, shown on the tracking page; no personal data."""
    user, case = _case(request, case_id)
    case_public_summary_set(actor=user, case=case, text=payload.text)
    return _after(user, case_id)


@router.post("/cases/{case_id}/return", response=CaseDetail)
def return_case(request: HttpRequest, case_id: int, payload: ReasonIn) -> Case:
    user, case = _case(request, case_id)
    services.assignment_return(actor=user, case=case, reason=payload.reason)
    return _after(user, case_id)


@router.post("/cases/{case_id}/verify", response=CaseDetail)
def verify_case(request: HttpRequest, case_id: int, payload: VerifyIn | None = None) -> Case:
    """Approves the resolution; with `"approved": false` and a reason, rejects it and the case
    is dispatched again to the same assignees."""
    user, case = _case(request, case_id)
    if payload is None or payload.approved:
        services.case_verify(actor=user, case=case, note=payload.note if payload else "")
    else:
        services.case_reject(actor=user, case=case, reason=payload.reason)
    return _after(user, case_id)


@router.post("/cases/{case_id}/close", response=CaseDetail)
def close_case(request: HttpRequest, case_id: int, payload: OptionalNoteIn | None = None) -> Case:
    user, case = _case(request, case_id)
    services.case_close(actor=user, case=case, note=payload.note if payload else "")
    return _after(user, case_id)


@router.post("/cases/{case_id}/callback", response=CaseDetail)
def callback_case(request: HttpRequest, case_id: int, payload: CallbackIn) -> Case:
    """Records the satisfaction callback; "unsatisfied" reopens the case."""
    user, case = _case(request, case_id)
    services.callback_record(actor=user, case=case, result=payload.result, note=payload.note)
    return _after(user, case_id)


@router.post("/cases/{case_id}/divert", response=CaseDetail)
def divert_case(request: HttpRequest, case_id: int, payload: DivertIn | None = None) -> Case:
    """Non-police diversion to the town command room, and on to `unit` when given."""
    user, case = _case(request, case_id)
    unit_code = payload.unit if payload else None
    category_code = payload.category if payload else None
    services.case_divert(
        actor=user,
        case=case,
        unit=unit_by_code(code=unit_code) if unit_code else None,
        category=category_by_code(category_code) if category_code else None,
        note=payload.note if payload else "",
    )
    return _after(user, case_id)


@router.post("/cases/{case_id}/merge", response=CaseDetail)
def merge_case(request: HttpRequest, case_id: int, payload: MergeIn) -> Case:
    """Marks this case a duplicate of `into`."""
    user, case = _case(request, case_id)
    into = case_reference(user=user, case_id=payload.into, field="into")
    services.case_merge(actor=user, case=case, into=into)
    return _after(user, case_id)


@router.post("/cases/{case_id}/transfer", response=CaseDetail)
def transfer_case(request: HttpRequest, case_id: int, payload: TransferIn) -> Case:
    user, case = _case(request, case_id)
    unit = unit_by_code(code=payload.unit)
    services.case_transfer(actor=user, case=case, unit=unit, reason=payload.reason)
    return _after(user, case_id)


@router.post("/cases/{case_id}/cancel", response=CaseDetail)
def cancel_case(request: HttpRequest, case_id: int, payload: ReasonIn) -> Case:
    user, case = _case(request, case_id)
    services.case_cancel(actor=user, case=case, reason=payload.reason)
    return _after(user, case_id)


@router.post("/cases/{case_id}/escalate", response=CaseDetail)
def escalate_case(request: HttpRequest, case_id: int, payload: ReasonIn | None = None) -> Case:
    user, case = _case(request, case_id)
    services.case_escalate(actor=user, case=case, reason=payload.reason if payload else "")
    return _after(user, case_id)


@router.post("/cases/{case_id}/reopen", response=CaseDetail)
def reopen_case(request: HttpRequest, case_id: int, payload: ReasonIn) -> Case:
    user, case = _case(request, case_id)
    services.case_reopen(actor=user, case=case, reason=payload.reason)
    return _after(user, case_id)


@router.post("/cases/{case_id}/reveal", response=CallerRevealOut)
def reveal_caller(request: HttpRequest, case_id: int, payload: CallerRevealIn) -> CallerRevealOut:
    """The caller's full phone number, to call them back. Needs the reveal permission and
    sight of the caller (not for a confidential caller's case outside the command centre);
    always audited."""
    user, case = _case(request, case_id)
    if not caller_visible(user=user, case=case):
        raise PermissionDeniedError(_("来电人要求保密。"))
    value = pii_reveal(actor=user, instance=case, field=payload.field, request=request)
    return CallerRevealOut(field=payload.field, value=value)


@router.post("/cases/{case_id}/call", response=CallOut)
def call_caller(request: HttpRequest, case_id: int) -> CallOut:
    """A `tel:` link to the caller (responder or dispatcher to caller), through the
    privacy-number gateway; the same rules and audit as the reveal above."""
    user, case = _case(request, case_id)
    if not caller_visible(user=user, case=case):
        raise PermissionDeniedError(_("来电人要求保密。"))
    callee = pii_reveal(actor=user, instance=case, field="caller_phone", request=request)
    if not callee:
        raise NotFound(_("该事件没有来电号码。"))
    key = f"call:{user.pk}:case:{case.pk}"
    return CallOut(tel=call_link(caller=user, callee=callee, idempotency_key=key))


@router.post("/cases/{case_id}/attachments", response={201: AttachmentOut})
def upload_attachment(
    request: HttpRequest, case_id: int, file: File[UploadedFile], note: Form[str] = ""
) -> Status[Attachment]:
    """A photo (JPEG, PNG or WebP, at most 10 MB by default), checked and stored without its
    EXIF data."""
    user, case = _case(request, case_id)
    if file.size is not None and file.size > max_upload_bytes():
        raise InvalidInput(_("照片过大。"), extra={"field": "file"})
    data = file.read(max_upload_bytes() + 1)
    return Status(201, services.attachment_add(actor=user, case=case, data=data, note=note))


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def download_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    """The photo itself, for those who may see the case: case photos are never served from a
    public URL (they show people and homes; PIPL)."""
    attachment = attachment_get(user=acting_user(request), case_id=case_id, pk=attachment_id)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/cases/{case_id}/suggestions", response=SuggestionsOut)
def suggestions(request: HttpRequest, case_id: int, limit: int = 10) -> dict[str, object]:
    """Nearest available responders by live position, and first responders (patrols, guards,
    ten-household groups) within the first-responder radius."""
    user = acting_user(request)
    case = case_get(user=user, case_id=case_id)
    return dispatch_suggestions(user=user, case=case, limit=max(1, min(limit, 50)))


@router.get("/categories", response=list[CategoryOut])
def list_categories(
    request: HttpRequest, q: str | None = None, police: bool | None = None
) -> list[Category]:
    """Active categories; `q` searches code, name, keywords and pinyin initials."""
    return list(categories_list(search=q, police=police))


@router.post("/responders/me/position", response=PositionOut)
def report_position(request: HttpRequest, payload: PositionIn) -> ResponderStatus:
    return services.responder_position_report(
        actor=acting_user(request),
        lat=payload.lat,
        lng=payload.lng,
        coord_system=payload.coord_system,
        available=payload.available,
        on_duty=payload.on_duty,
    )


@router.get("/track/{receipt_code}", response=TrackOut, auth=None)
def track(request: HttpRequest, receipt_code: str) -> dict[str, object]:
    """The citizen's tracking page data, by the receipt code given at intake: public steps
    only, no personal data."""
    case = case_track(receipt_code=receipt_code)
    return {
        "number": case.number,
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "category_name": case.category.label,
        "received_at": case.received_at,
        "steps": [
            {"at": e.at, "kind": e.kind, "label": str(TimelineKind(e.kind).label)}
            for e in getattr(case, "public_timeline", [])
        ],
    }


@router.get("/kpi/loop", response=LoopKpiOut)
def loop_kpi(
    request: HttpRequest,
    since: datetime | None = None,
    until: datetime | None = None,
    node: str | None = None,
) -> dict[str, object]:
    """8-minute arrival rate, on-time rate per step, diverted count and callback satisfaction,
    by day (Asia/Shanghai) and by the jurisdiction's children. Default: the last 7 days."""
    return kpi_loop(user=acting_user(request), since=since, until=until, node_code=node)


class LocateIn(Schema):
    lat: float | None = None
    lng: float | None = None
    address: str = ""


@router.post("/cases/{case_id}/locate", response=CaseDetail)
def locate_case(request: HttpRequest, case_id: int, payload: LocateIn) -> Case:
    """Sets or corrects the case's place: `{"lat", "lng"}` (WGS-84) or `{"address"}` from the
    standard address gazetteer. A case nobody was dispatched to yet is routed again."""
    from shouwang.cases.services.locate import case_locate

    user, case = _case(request, case_id)
    case_locate(actor=user, case=case, lat=payload.lat, lng=payload.lng, address=payload.address)
    return _after(user, case_id)
