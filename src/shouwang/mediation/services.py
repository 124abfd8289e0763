"""Writes of a mediation file: accept, record sessions, make the agreement, record payments,
extend, fail with a referral, call back. Each is one transaction that also notes the step on
the dispute case's timeline through `cases.feeders` (the only door into the loop)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shouwang.cases import feeders
from shouwang.core.errors import Conflict, IllegalTransition, InvalidInput, PermissionDeniedError
from shouwang.core.models import JurisdictionNode, Role, Unit, UnitKind, User
from shouwang.core.roles import MEDIATION_STAFF_ROLES
from shouwang.core.services.pii import pii_assign
from shouwang.mediation import notices
from shouwang.mediation.models import (
    OPEN_FILE_STATES,
    Agreement,
    Callback,
    FileSource,
    FileState,
    MediationFile,
    Obligation,
    Party,
    PartyRole,
    Payment,
    Referral,
    Session,
)
from shouwang.mediation.risk import is_dispute
from shouwang.mediation.selectors import file_for_writing

SOURCE = "mediation"
TIME_LIMIT = timedelta(days=30)  # 人民调解: finished within 30 days, extendable once by 30


@dataclass(frozen=True)
class PartyIn:
    name: str
    role: str
    phone: str = ""
    id_number: str = ""
    is_company: bool = False


@dataclass(frozen=True)
class ObligationIn:
    debtor: int | str  # a party's id, or a role ("respondent") for that role's first party
    amount: Decimal
    due: date
    how: str = ""
    where: str = ""


def _studio(code: str) -> Unit:
    studio = Unit.objects.filter(code=code, kind=UnitKind.MEDIATION_STUDIO, is_active=True).first()
    if studio is None:
        raise InvalidInput(_("调解工作室不存在。"), extra={"field": "studio"})
    return studio


def _locked(file: MediationFile) -> MediationFile:
    return MediationFile.objects.select_for_update().get(pk=file.pk)


def note_on_case(file: MediationFile, actor: User | None, text: str, **data: object) -> None:
    """Adds a step of the file to its case's timeline (the only way this app writes there)."""
    feeders.case_note(
        case=file.case_id, actor=actor, text=text, source=SOURCE, data={"file": file.pk, **data}
    )


def _parties_add(file: MediationFile, parties: list[PartyIn]) -> None:
    roles = {p.role for p in parties}
    if not {PartyRole.APPLICANT, PartyRole.RESPONDENT} <= roles:
        raise InvalidInput(_("至少需要一名申请人和一名被申请人。"), extra={"field": "parties"})
    for given in parties:
        if given.role not in PartyRole.values or not given.name.strip():
            raise InvalidInput(_("当事人信息不完整。"), extra={"field": "parties"})
        party = Party(file=file, role=given.role, is_company=given.is_company)
        pii_assign(party, field="name", value=given.name)
        pii_assign(party, field="phone", value=given.phone)
        pii_assign(party, field="id_number", value=given.id_number)
        party.save()


@transaction.atomic
def mediation_open(
    *,
    actor: User,
    case_id: int,
    studio_code: str,
    parties: list[PartyIn],
    amount_in_dispute: Decimal = Decimal("0"),
    claims: str = "",
    source: str = FileSource.APPLICATION,
    now: datetime | None = None,
) -> MediationFile:
    """Accepts a dispute case into a studio's mediation (受理). The actor must see the case;
    a mediator may accept only into their own studio. Conflict (409) for a case that is not a
    dispute or already has a file."""
    if actor.role not in MEDIATION_STAFF_ROLES:
        raise PermissionDeniedError()
    case = feeders.case_visible(user=actor, case_id=case_id)
    studio = _studio(studio_code)
    if actor.role == Role.MEDIATOR and actor.unit_id != studio.pk:
        raise PermissionDeniedError(_("调解员只能受理到本工作室。"))
    if not is_dispute(case):
        raise Conflict(
            _("只有矛盾纠纷类事件可以申请调解。"), extra={"category": case.category.code}
        )
    if MediationFile.objects.filter(case=case).exists():
        raise Conflict(_("该事件已有调解案卷。"))
    if amount_in_dispute < 0:
        raise InvalidInput(_("涉及金额不能为负数。"), extra={"field": "amount_in_dispute"})
    now = now or timezone.now()
    file = MediationFile.objects.create(
        case=case,
        studio=studio,
        node=case.node,
        town=notices.town_of(case.node),
        dispute_type=case.category.code,
        source=source,
        claims=claims.strip(),
        amount_in_dispute=amount_in_dispute,
        accepted_at=now,
        rights_notified_at=now,
        deadline=now + TIME_LIMIT,
        created_by=actor,
    )
    _parties_add(file, parties)
    if actor.role == Role.MEDIATOR:
        file.mediators.add(actor)
    note_on_case(file, actor, _("%(studio)s受理调解") % {"studio": studio.name}, studio=studio.code)
    return file


def mediation_open_walk_in(
    *,
    actor: User,
    category_code: str,
    description: str,
    studio_code: str,
    parties: list[PartyIn],
    amount_in_dispute: Decimal = Decimal("0"),
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    node: JurisdictionNode | None = None,
    source: str = FileSource.APPLICATION,
) -> MediationFile:
    """A dispute brought to a studio in person or referred by a station, court or village,
    without a case yet: opens the case (channel walk-in, kind dispute), then the file."""
    with transaction.atomic():
        opened = feeders.case_open(
            actor=actor,
            category_code=category_code,
            description=description,
            channel=feeders.CaseChannel.WALK_IN,
            kind=feeders.CaseKind.DISPUTE,
            lat=lat,
            lng=lng,
            address=address,
            node=node,
            source=SOURCE,
        )
        return mediation_open(
            actor=actor,
            case_id=opened.case.pk,
            studio_code=studio_code,
            parties=parties,
            amount_in_dispute=amount_in_dispute,
            claims=description,
            source=source,
        )


def _require_state(file: MediationFile, *states: str) -> None:
    if file.state not in states:
        raise IllegalTransition(
            _("案卷当前状态为「%(state)s」，不能进行此操作。") % {"state": file.get_state_display()}
        )


@transaction.atomic
def session_record(
    *,
    actor: User,
    file_id: int,
    at: datetime,
    place: str,
    record: str,
    online: bool = False,
    attendees: str = "",
    next_steps: str = "",
) -> Session:
    """Records a session; the first one moves an accepted file to mediating."""
    file = _locked(file_for_writing(user=actor, file_id=file_id))
    _require_state(file, *OPEN_FILE_STATES)
    session = Session.objects.create(
        file=file,
        at=at,
        place=place.strip(),
        online=online,
        attendees=attendees.strip(),
        record=record.strip(),
        next_steps=next_steps.strip(),
        recorded_by=actor,
    )
    if file.state == FileState.ACCEPTED:
        file.state = FileState.MEDIATING
        file.save(update_fields=["state"])
    note_on_case(
        file, actor, _("调解：%(place)s") % {"place": place or _("线上")}, session=session.pk
    )
    return session


def _debtor(file: MediationFile, debtor: int | str) -> Party:
    parties = file.parties.all()
    found = (
        parties.filter(pk=debtor).first()
        if isinstance(debtor, int) or str(debtor).isdigit()
        else parties.filter(role=debtor).order_by("pk").first()
    )
    if found is None:
        raise InvalidInput(_("义务人不是本案当事人。"), extra={"field": "debtor"})
    return found


@transaction.atomic
def agreement_make(
    *,
    actor: User,
    file_id: int,
    obligations: list[ObligationIn],
    facts: str = "",
    responsibilities: str = "",
    now: datetime | None = None,
) -> Agreement:
    """Records the signed agreement and its obligations; the file is then agreed and each
    obligation is tracked to its due date."""
    file = _locked(file_for_writing(user=actor, file_id=file_id))
    _require_state(file, *OPEN_FILE_STATES)
    if not obligations:
        raise InvalidInput(_("协议至少包含一项履行义务。"), extra={"field": "obligations"})
    now = now or timezone.now()
    agreement = Agreement.objects.create(
        file=file,
        facts=facts.strip() or file.case.description,
        responsibilities=responsibilities.strip(),
        signed_at=now,
        created_by=actor,
    )
    for given in obligations:
        if given.amount <= 0:
            raise InvalidInput(_("履行金额应大于零。"), extra={"field": "amount"})
        Obligation.objects.create(
            agreement=agreement,
            debtor=_debtor(file, given.debtor),
            amount=given.amount,
            how=given.how.strip() or _("转账"),
            where=given.where.strip(),
            due=given.due,
        )
    file.state, file.concluded_at = FileState.AGREED, now
    file.save(update_fields=["state", "concluded_at"])
    total = sum((o.amount for o in obligations), Decimal("0"))
    note_on_case(file, actor, _("达成调解协议，履行金额 ¥%(total)s") % {"total": total})
    return agreement


@transaction.atomic
def payment_record(
    *,
    actor: User,
    file_id: int,
    obligation_id: int,
    amount: Decimal,
    at: datetime,
    proof: str = "",
) -> Payment:
    """Records a payment with its proof. InvalidInput (422) when it is above what is still
    owed. When every obligation is paid the agreement is performed and the case settled."""
    file = _locked(file_for_writing(user=actor, file_id=file_id))
    _require_state(file, FileState.AGREED)
    obligation = (
        Obligation.objects.select_for_update()
        .filter(pk=obligation_id, agreement__file=file)
        .first()
    )
    if obligation is None:
        raise InvalidInput(_("履行义务不属于本案卷。"), extra={"field": "obligation"})
    if amount <= 0 or amount > obligation.outstanding:
        raise InvalidInput(
            _("履行金额超过尚欠金额 ¥%(owed)s。") % {"owed": obligation.outstanding},
            extra={"field": "amount", "owed": str(obligation.outstanding)},
        )
    payment = Payment.objects.create(
        obligation=obligation, amount=amount, at=at, proof=proof.strip(), recorded_by=actor
    )
    obligation.paid = F("paid") + amount
    obligation.save(update_fields=["paid"])
    obligation.refresh_from_db(fields=["paid"])
    if obligation.outstanding == 0:
        obligation.performed_at = at
        obligation.save(update_fields=["performed_at"])
    note_on_case(file, actor, _("履行 ¥%(amount)s") % {"amount": amount}, payment=payment.pk)
    if not Obligation.objects.filter(agreement__file=file, performed_at__isnull=True).exists():
        _perform(file, actor, at)
    return payment


def _perform(file: MediationFile, actor: User, at: datetime) -> None:
    file.state, file.performed_at = FileState.PERFORMED, at
    file.save(update_fields=["state", "performed_at"])
    case = file.case
    if case.state not in feeders.FINISHED_STATES:
        feeders.case_settle(case=case.pk, actor=actor, note=_("调解协议已履行完毕"), source=SOURCE)
    else:
        note_on_case(file, actor, _("调解协议已履行完毕"))


@transaction.atomic
def mediation_extend(*, actor: User, file_id: int, reason: str) -> MediationFile:
    """Extends the time limit once by 30 days, with a reason. Conflict (409) the second time."""
    file = _locked(file_for_writing(user=actor, file_id=file_id))
    _require_state(file, *OPEN_FILE_STATES)
    if not reason.strip():
        raise InvalidInput(_("请填写延期理由。"), extra={"field": "reason"})
    if file.extended:
        raise Conflict(_("调解期限只能延长一次。"))
    file.deadline += TIME_LIMIT
    file.extension_reason = reason.strip()
    file.overdue_noted_at = None
    file.save(update_fields=["deadline", "extension_reason", "overdue_noted_at"])
    note_on_case(file, actor, _("调解期限延长30日：%(reason)s") % {"reason": reason.strip()})
    return file


@transaction.atomic
def mediation_fail(
    *, actor: User, file_id: int, referral: str, reason: str, now: datetime | None = None
) -> MediationFile:
    """Ends a file without agreement, with where the parties were referred (litigation,
    arbitration or an administrative body)."""
    file = _locked(file_for_writing(user=actor, file_id=file_id))
    _require_state(file, *OPEN_FILE_STATES)
    if referral not in Referral.values or not referral:
        raise InvalidInput(_("请选择调解不成后的去向。"), extra={"field": "referral"})
    file.state, file.referral = FileState.FAILED, referral
    file.failure_reason, file.concluded_at = reason.strip(), now or timezone.now()
    file.save(update_fields=["state", "referral", "failure_reason", "concluded_at"])
    note_on_case(
        file,
        actor,
        _("调解不成，%(referral)s") % {"referral": Referral(referral).label},
        referral=referral,
    )
    return file


@transaction.atomic
def callback_record(
    *, actor: User, file_id: int, party_id: int, satisfied: bool, note: str = ""
) -> Callback:
    """The callback to a party once the agreement is performed."""
    file = _locked(file_for_writing(user=actor, file_id=file_id))
    _require_state(file, FileState.PERFORMED)
    party = file.parties.filter(pk=party_id).first()
    if party is None:
        raise InvalidInput(_("不是本案当事人。"), extra={"field": "party"})
    callback = Callback.objects.create(
        file=file,
        party=party,
        at=timezone.now(),
        satisfied=satisfied,
        note=note.strip(),
        recorded_by=actor,
    )
    note_on_case(file, actor, _("履行后回访%(role)s") % {"role": party.get_role_display()})
    return callback
