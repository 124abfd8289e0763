"""Thin API handlers of the mediation app: parse, call a selector or service, answer."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from shouwang.core.api import acting_user
from shouwang.core.errors import NotFound
from shouwang.core.pagination import Pages
from shouwang.core.selectors import node_get
from shouwang.mediation import alerts, figures, schemas, selectors, services
from shouwang.mediation.models import MediationFile, RiskAlert
from shouwang.mediation.pdf import agreement_pdf

router = Router(tags=["mediation"])


def _parties(parties: list[schemas.PartyIn]) -> list[services.PartyIn]:
    return [
        services.PartyIn(
            name=p.name, role=p.role, phone=p.phone, id_number=p.id_number, is_company=p.is_company
        )
        for p in parties
    ]


def file_out(file: MediationFile) -> schemas.MediationOut:
    """The file as the API shows it; `file` comes from selectors.file_get (prefetched)."""
    agreement = getattr(file, "agreement", None)
    obligations = list(agreement.obligations.all()) if agreement is not None else []
    return schemas.MediationOut(
        id=file.pk,
        case=file.case_id,
        case_number=file.case.number,
        studio=file.studio.code,
        studio_name=file.studio.name,
        dispute_type=file.dispute_type,
        source=file.source,
        state=file.state,
        state_label=str(file.get_state_display()),
        amount_in_dispute=file.amount_in_dispute,
        money_recovered=sum((o.paid for o in obligations), Decimal("0")),
        accepted_at=file.accepted_at,
        deadline=file.deadline,
        extended=file.extended,
        overdue=file.state in ("accepted", "mediating") and file.deadline < timezone.now(),
        referral=file.referral,
        parties=[
            schemas.PartyOut(
                id=p.pk,
                role=p.role,
                name=p.name_masked,
                phone=p.phone_masked,
                id_number=p.id_number_masked,
                is_company=p.is_company,
            )
            for p in file.parties.all()
        ],
        sessions=[
            schemas.SessionOut(
                id=s.pk,
                at=s.at,
                place=s.place,
                online=s.online,
                record=s.record,
                next_steps=s.next_steps,
            )
            for s in file.sessions.all()
        ],
        obligations=[
            schemas.ObligationOut(
                id=o.pk,
                debtor=o.debtor_id,
                debtor_name=o.debtor.name_masked,
                amount=o.amount,
                paid=o.paid,
                how=o.how,
                where=o.where,
                due=o.due,
                performed_at=o.performed_at,
                payments=[
                    schemas.PaymentOut(id=p.pk, amount=p.amount, at=p.at, proof=p.proof)
                    for p in o.payments.all()
                ],
            )
            for o in obligations
        ],
    )


@router.post("/cases/{case_id}/mediation", response={201: schemas.Created})
def open_mediation(
    request: HttpRequest, case_id: int, payload: schemas.MediationIn
) -> Status[schemas.Created]:
    """Accepts a dispute case into a mediation studio. 409 for a case that is not a dispute."""
    file = services.mediation_open(
        actor=acting_user(request),
        case_id=case_id,
        studio_code=payload.studio,
        parties=_parties(payload.parties),
        amount_in_dispute=payload.amount_in_dispute,
        claims=payload.claims,
        source=payload.source,
    )
    return Status(201, schemas.Created(id=file.pk))


@router.post("/mediations", response={201: schemas.WalkInCreated})
def open_walk_in(request: HttpRequest, payload: schemas.WalkInIn) -> Status[schemas.WalkInCreated]:
    """A dispute brought to a studio in person, or referred, without a case yet."""
    user = acting_user(request)
    file = services.mediation_open_walk_in(
        actor=user,
        category_code=payload.category,
        description=payload.description,
        studio_code=payload.studio,
        parties=_parties(payload.parties),
        amount_in_dispute=payload.amount_in_dispute,
        address=payload.address,
        lat=payload.lat,
        lng=payload.lng,
        node=node_get(user=user, code=payload.node) if payload.node else None,
        source=payload.source,
    )
    return Status(201, schemas.WalkInCreated(id=file.pk, case=file.case_id))


@router.get("/mediations", response=list[schemas.MediationListOut])
@paginate(Pages, page_size=50)
def list_mediations(
    request: HttpRequest, state: str | None = None, studio: str | None = None, q: str | None = None
) -> object:
    return selectors.files_list(user=acting_user(request), state=state, studio=studio, search=q)


@router.get("/mediations/figures")
def mediation_figures(request: HttpRequest) -> dict[str, object]:
    """Accepted, succeeded, success and on-time rates, money in dispute and recovered; in
    total and by studio, mediator, town and dispute type; and the risk-alert figures."""
    user = acting_user(request)
    return {
        **figures.mediation_figures(user=user),
        "risk": figures.risk_figures(user=user),
    }


@router.get("/mediations/{file_id}", response=schemas.MediationOut)
def get_mediation(request: HttpRequest, file_id: int) -> schemas.MediationOut:
    return file_out(selectors.file_get(user=acting_user(request), file_id=file_id))


@router.get("/mediations/{file_id}/agreement.pdf")
def get_agreement_pdf(request: HttpRequest, file_id: int) -> HttpResponse:
    """The agreement in the people's-mediation layout; 404 before there is one."""
    file = selectors.file_get(user=acting_user(request), file_id=file_id)
    if getattr(file, "agreement", None) is None:
        raise NotFound()
    response = HttpResponse(agreement_pdf(file), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-{file.pk}.pdf"'
    return response


@router.post("/mediations/{file_id}/sessions", response={201: schemas.Created})
def add_session(
    request: HttpRequest, file_id: int, payload: schemas.SessionIn
) -> Status[schemas.Created]:
    session = services.session_record(
        actor=acting_user(request),
        file_id=file_id,
        at=payload.at,
        place=payload.place,
        record=payload.record,
        online=payload.online,
        attendees=payload.attendees,
        next_steps=payload.next_steps,
    )
    return Status(201, schemas.Created(id=session.pk))


@router.post("/mediations/{file_id}/agreement", response={201: schemas.AgreementCreated})
def make_agreement(
    request: HttpRequest, file_id: int, payload: schemas.AgreementIn
) -> Status[schemas.AgreementCreated]:
    agreement = services.agreement_make(
        actor=acting_user(request),
        file_id=file_id,
        facts=payload.facts,
        responsibilities=payload.responsibilities,
        obligations=[
            services.ObligationIn(
                debtor=o.debtor, amount=o.amount, due=o.due, how=o.how, where=o.where
            )
            for o in payload.obligations
        ],
    )
    ids = list(agreement.obligations.order_by("pk").values_list("pk", flat=True))
    return Status(201, schemas.AgreementCreated(id=agreement.pk, obligations=ids))


@router.post("/mediations/{file_id}/payments", response={201: schemas.PaymentCreated})
def add_payment(
    request: HttpRequest, file_id: int, payload: schemas.PaymentIn
) -> Status[schemas.PaymentCreated]:
    """Records a payment; 422 when it is above what is still owed."""
    user = acting_user(request)
    payment = services.payment_record(
        actor=user,
        file_id=file_id,
        obligation_id=payload.obligation,
        amount=payload.amount,
        at=payload.at,
        proof=payload.proof,
    )
    file = file_out(selectors.file_get(user=user, file_id=file_id))
    return Status(
        201,
        schemas.PaymentCreated(
            id=payment.pk, state=file.state, money_recovered=file.money_recovered
        ),
    )


@router.post("/mediations/{file_id}/extend", response=schemas.MediationOut)
def extend_mediation(
    request: HttpRequest, file_id: int, payload: schemas.ExtendIn
) -> schemas.MediationOut:
    user = acting_user(request)
    services.mediation_extend(actor=user, file_id=file_id, reason=payload.reason)
    return file_out(selectors.file_get(user=user, file_id=file_id))


@router.post("/mediations/{file_id}/fail", response=schemas.MediationOut)
def fail_mediation(
    request: HttpRequest, file_id: int, payload: schemas.FailIn
) -> schemas.MediationOut:
    user = acting_user(request)
    services.mediation_fail(
        actor=user, file_id=file_id, referral=payload.referral, reason=payload.reason
    )
    return file_out(selectors.file_get(user=user, file_id=file_id))


@router.post("/mediations/{file_id}/callback", response={201: schemas.Created})
def add_callback(
    request: HttpRequest, file_id: int, payload: schemas.CallbackIn
) -> Status[schemas.Created]:
    callback = services.callback_record(
        actor=acting_user(request),
        file_id=file_id,
        party_id=payload.party,
        satisfied=payload.satisfied,
        note=payload.note,
    )
    return Status(201, schemas.Created(id=callback.pk))


def alert_out(alert: RiskAlert) -> schemas.AlertOut:
    return schemas.AlertOut.from_orm(alert)


@router.get("/risk/alerts", response=list[schemas.AlertOut])
@paginate(Pages, page_size=50)
def list_alerts(request: HttpRequest, node: str | None = None, state: str | None = None) -> object:
    """Risk alerts of your area (a node's subtree with `node`), newest first."""
    user = acting_user(request)
    where = node_get(user=user, code=node) if node else None
    return selectors.alerts_list(user=user, node=where, state=state)


@router.post("/risk/alerts/{alert_id}/follow-up", response=schemas.AlertOut)
def follow_up_alert(
    request: HttpRequest, alert_id: int, payload: schemas.FollowUpIn
) -> schemas.AlertOut:
    """Records the visit or call within 24 hours and its outcome; 409 when already done."""
    user = acting_user(request)
    alerts.alert_follow_up(
        actor=user,
        alert_id=alert_id,
        outcome=payload.outcome,
        note=payload.note,
        method=payload.method,
    )
    return alert_out(selectors.alert_get(user=user, alert_id=alert_id))
