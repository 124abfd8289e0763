"""Thin API handlers of the inspections app: parse, call a selector or service, shape."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.pagination import paginate

from shouwang.core.api import acting_user
from shouwang.core.errors import NotFound
from shouwang.core.pagination import Pages
from shouwang.inspections import selectors
from shouwang.inspections.documents import enforcement_pdf
from shouwang.inspections.models import Enforcement, Hazard, Inspection
from shouwang.inspections.schemas import (
    AdoptBody,
    AnswerOut,
    EnforceBody,
    EnforcementOut,
    HazardDetail,
    HazardKpiOut,
    HazardOut,
    InspectionBody,
    InspectionCreated,
    InspectionDetail,
    InspectionOut,
    ItemOut,
    KpiChild,
    NoticeBody,
    NoticeOut,
    PlanBody,
    PlanProgressOut,
    ProvisionOut,
    RectifyBody,
    ReinspectBody,
    SignatureOut,
    StepOut,
    TemplateOut,
    TrainingBody,
    TrainingOut,
)
from shouwang.inspections.services.enforcement import enforcement_decide
from shouwang.inspections.services.hazards import hazard_adopt, hazard_rectify, hazard_reinspect
from shouwang.inspections.services.inspections import AnswerIn, inspection_sign, inspection_submit
from shouwang.inspections.services.outreach import notice_publish, notice_read, training_record
from shouwang.inspections.services.plans import plan_generate

router = Router(tags=["inspections"])


@router.get("/inspections/templates", response=list[TemplateOut])
def list_templates(request: HttpRequest, kind: str | None = None) -> list[TemplateOut]:
    """Current checklists for a premises kind (those for any kind included), with items."""
    return [
        TemplateOut(
            code=t.code,
            version=t.version,
            name=t.name,
            kind=t.premises_kind,
            items=[
                ItemOut(
                    code=i.code,
                    text=i.text,
                    severity=i.severity,
                    required=i.required,
                    photo_required=i.photo_required,
                    legal_basis=i.legal_basis,
                )
                for i in t.items.all()
            ],
        )
        for t in selectors.templates_list(kind=kind)
    ]


@router.post("/inspections", response={200: InspectionCreated, 201: InspectionCreated})
def create_inspection(request: HttpRequest, body: InspectionBody) -> Status[InspectionCreated]:
    """Records an inspection; one hazard case per failed item. The same `draft` sent again
    answers 200 with the first inspection (nothing new is written)."""
    submitted = inspection_submit(
        actor=acting_user(request),
        premises_code=body.premises,
        template_code=body.template,
        template_version=body.template_version,
        answers=[AnswerIn(a.item, a.ok, a.note, a.photo) for a in body.answers],
        lat=body.lat,
        lng=body.lng,
        idempotency_key=body.draft,
    )
    inspection = submitted.inspection
    return Status(
        200 if submitted.replayed else 201,
        InspectionCreated(
            id=inspection.pk,
            hazards=[h.case_id for h in submitted.hazards],
            distance_m=inspection.distance_m,
            far_from_premises=inspection.far_from_premises,
        ),
    )


@router.get("/inspections", response=list[InspectionOut])
@paginate(Pages, page_size=50)
def list_inspections(request: HttpRequest, premises: str | None = None) -> list[InspectionOut]:
    return [
        _inspection_out(i)
        for i in selectors.inspections_list(user=acting_user(request), premises_code=premises)
    ]


def _inspection_out(inspection: Inspection) -> InspectionOut:
    return InspectionOut(
        id=inspection.pk,
        premises=inspection.premises.code,
        template=inspection.template.code,
        version=inspection.template.version,
        inspector=inspection.inspector.display_name,
        created_at=inspection.created_at,
        failed_count=inspection.failed_count,
        distance_m=inspection.distance_m,
        far_from_premises=inspection.far_from_premises,
    )


@router.get("/inspections/{int:inspection_id}", response=InspectionDetail)
def get_inspection(request: HttpRequest, inspection_id: int) -> InspectionDetail:
    """One inspection with its answers and the signatures of a joint team."""
    inspection = selectors.inspection_get(user=acting_user(request), inspection_id=inspection_id)
    return _inspection_detail(inspection)


@router.post("/inspections/{int:inspection_id}/sign", response=InspectionDetail)
def sign_inspection(request: HttpRequest, inspection_id: int) -> InspectionDetail:
    """Signs a joint inspection (综合查一次) as a member of the team."""
    user = acting_user(request)
    inspection_sign(actor=user, inspection_id=inspection_id)
    return _inspection_detail(selectors.inspection_get(user=user, inspection_id=inspection_id))


def _inspection_detail(inspection: Inspection) -> InspectionDetail:
    return InspectionDetail(
        **_inspection_out(inspection).dict(),
        answers=[
            AnswerOut(item=a.item.code, ok=a.ok, note=a.note, photo=bool(a.photo))
            for a in inspection.answers.all()
        ],
        signatures=[
            SignatureOut(person=s.person.display_name, unit=s.unit_name, signed_at=s.signed_at)
            for s in inspection.signatures.all()
        ],
    )


def _hazard_out(hazard: Hazard) -> dict[str, Any]:
    return {
        "case_id": hazard.case_id,
        "premises": hazard.premises.code,
        "premises_name": hazard.premises.name,
        "item": hazard.item.code if hazard.item else None,
        "text": hazard.item.text if hazard.item else hazard.case.description,
        "level": hazard.level,
        "status": hazard.status,
        "case_state": hazard.case.state,
        "rounds": hazard.rounds,
        "found_at": hazard.found_at,
        "deadline": hazard.deadline,
        "first_deadline": hazard.first_deadline,
        "closed_at": hazard.closed_at,
        # A display name only (no phone): who must fix it.
        "responsible": hazard.responsible.display_name if hazard.responsible else None,
    }


@router.get("/hazards", response=list[HazardOut])
@paginate(Pages, page_size=50)
def list_hazards(
    request: HttpRequest, status: str | None = None, premises: str | None = None
) -> list[HazardOut]:
    hazards = selectors.hazards_list(
        user=acting_user(request), status=status, premises_code=premises
    ).select_related("responsible")
    return [HazardOut(**_hazard_out(h)) for h in hazards]


@router.post("/hazards", response={201: HazardDetail})
def adopt_hazard(request: HttpRequest, body: AdoptBody) -> Status[HazardDetail]:
    """Brings a reported hazard case (随手拍) into a premises' rectification rounds."""
    user = acting_user(request)
    hazard_adopt(actor=user, case_id=body.case, premises_code=body.premises, level=body.level)
    return Status(201, _detail(selectors.hazard_get(user=user, case_id=body.case)))


@router.get("/hazards/{case_id}", response=HazardDetail)
def get_hazard(request: HttpRequest, case_id: int) -> HazardDetail:
    hazard = selectors.hazard_get(user=acting_user(request), case_id=case_id)
    return _detail(hazard)


def _detail(hazard: Hazard) -> HazardDetail:
    steps = [
        StepOut(
            kind=s.kind,
            round=s.round,
            actor=s.actor.display_name if s.actor else None,
            note=s.note,
            at=s.at,
        )
        for s in hazard.steps.all()
    ]
    return HazardDetail(**_hazard_out(hazard), steps=steps)


@router.post("/hazards/{case_id}/rectify", response=HazardDetail)
def rectify_hazard(request: HttpRequest, case_id: int, body: RectifyBody) -> HazardDetail:
    """The responsible person (or a dispatcher) reports the hazard fixed; 409 when not due."""
    user = acting_user(request)
    hazard_rectify(actor=user, case_id=case_id, note=body.note)
    return _detail(selectors.hazard_get(user=user, case_id=case_id))


@router.post("/hazards/{case_id}/reinspect", response=HazardDetail)
def reinspect_hazard(request: HttpRequest, case_id: int, body: ReinspectBody) -> HazardDetail:
    """An inspector (not the one who rectified) checks it: passed closes the case."""
    user = acting_user(request)
    hazard_reinspect(actor=user, case_id=case_id, passed=body.passed, note=body.note)
    return _detail(selectors.hazard_get(user=user, case_id=case_id))


@router.post("/hazards/{case_id}/enforce", response={201: EnforcementOut})
def enforce_hazard(request: HttpRequest, case_id: int, body: EnforceBody) -> Status[EnforcementOut]:
    """A measure (warning, order, fine, suspension, detention referral) on its legal basis."""
    decision = enforcement_decide(
        actor=acting_user(request),
        case_id=case_id,
        kind=body.kind,
        provision_code=body.provision,
        amount=body.amount,
    )
    return Status(
        201,
        EnforcementOut(
            id=decision.pk,
            number=decision.number,
            kind=decision.kind,
            provision=decision.provision.code,
            amount=decision.amount,
            document=f"/api/v1/hazards/{case_id}/enforcements/{decision.pk}/document",
        ),
    )


@router.get("/hazards/{case_id}/enforcements/{enforcement_id}/document")
def enforcement_document(request: HttpRequest, case_id: int, enforcement_id: int) -> HttpResponse:
    """The decision document as PDF."""
    hazard = selectors.hazard_get(user=acting_user(request), case_id=case_id)
    decision = (
        Enforcement.objects.filter(hazard=hazard, pk=enforcement_id)
        .select_related("provision", "hazard__premises", "hazard__item", "hazard__case")
        .first()
    )
    if decision is None:
        raise NotFound()
    response = HttpResponse(enforcement_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{decision.number}.pdf"'
    return response


@router.get("/inspections/provisions", response=list[ProvisionOut])
def list_provisions(request: HttpRequest) -> list[ProvisionOut]:
    return [ProvisionOut.from_orm(p) for p in selectors.provisions_list()]


@router.get("/kpi/hazards", response=HazardKpiOut)
def hazard_kpi(
    request: HttpRequest,
    node: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> HazardKpiOut:
    """Hazards found, rectified (closed), closure rate and on-time rate, with each child."""
    root, total, children = selectors.hazard_kpi(
        user=acting_user(request), node_code=node, since=since, until=until
    )
    return HazardKpiOut(
        node=root.code, **total.as_dict(), by_child=[KpiChild(**c) for c in children]
    )


def _progress_out(progress: selectors.PlanProgress) -> PlanProgressOut:
    return PlanProgressOut(
        id=progress.plan_id,
        node=progress.node,
        year=progress.year,
        premises=progress.premises,
        required=progress.required,
        done=progress.done,
        due=progress.due,
        overdue=progress.overdue,
    )


@router.post("/inspections/plans", response={201: PlanProgressOut})
def create_plan(request: HttpRequest, body: PlanBody) -> Status[PlanProgressOut]:
    """Generates the year's plan of a node: every premises, visits by kind and stars."""
    user = acting_user(request)
    plan = plan_generate(actor=user, node_code=body.node, year=body.year)
    return Status(201, _progress_out(selectors.plan_progress(user=user, plan_id=plan.pk)))


@router.get("/inspections/plans/{plan_id}", response=PlanProgressOut)
def get_plan_progress(request: HttpRequest, plan_id: int) -> PlanProgressOut:
    """Visits done, still due this year, and overdue pro rata by today."""
    return _progress_out(selectors.plan_progress(user=acting_user(request), plan_id=plan_id))


@router.post("/trainings", response={201: TrainingOut})
def create_training(request: HttpRequest, body: TrainingBody) -> Status[TrainingOut]:
    """Records a training session (一懂三会) with the premises and each attendee's result."""
    user = acting_user(request)
    session = training_record(
        actor=user,
        node_code=body.node,
        topic=body.topic,
        held_on=body.held_on,
        trainer=body.trainer,
        premises_codes=body.premises,
        attendees=body.attendees,
    )
    found = selectors.trainings_list(user=user).get(pk=session.pk)
    return Status(201, _training_out(found))


def _training_out(session: Any) -> TrainingOut:
    return TrainingOut(
        id=session.pk,
        node=session.node.code,
        topic=session.topic,
        held_on=session.held_on,
        trainer=session.trainer,
        premises=[p.code for p in session.premises.all()],
        attendees=session.attendees,
        passed=session.passed,
    )


@router.get("/trainings", response=list[TrainingOut])
@paginate(Pages, page_size=50)
def list_trainings(request: HttpRequest) -> list[TrainingOut]:
    return [_training_out(s) for s in selectors.trainings_list(user=acting_user(request))]


def _notice_out(notice: Any) -> NoticeOut:
    return NoticeOut(
        id=notice.pk,
        node=notice.node.code,
        title=notice.title,
        body=notice.body,
        published_at=notice.published_at,
        read=notice.read,
        readers=notice.readers,
    )


@router.post("/notices", response={201: NoticeOut})
def publish_notice(request: HttpRequest, body: NoticeBody) -> Status[NoticeOut]:
    """Publishes a notice to a node of your area: everyone under it sees it."""
    user = acting_user(request)
    notice = notice_publish(actor=user, node_code=body.node, title=body.title, body=body.body)
    return Status(201, _notice_out(selectors.notices_list(user=user).get(pk=notice.pk)))


@router.get("/notices", response=list[NoticeOut])
@paginate(Pages, page_size=50)
def list_notices(request: HttpRequest) -> list[NoticeOut]:
    """Notices published to your node and above, with whether you have read each."""
    return [_notice_out(n) for n in selectors.notices_list(user=acting_user(request))]


@router.post("/notices/{notice_id}/read", response=NoticeOut)
def read_notice(request: HttpRequest, notice_id: int) -> NoticeOut:
    """Leaves your read receipt (once)."""
    user = acting_user(request)
    notice_read(actor=user, notice_id=notice_id)
    return _notice_out(selectors.notices_list(user=user).get(pk=notice_id))
