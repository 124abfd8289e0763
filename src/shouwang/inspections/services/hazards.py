"""The rectification rounds of a hazard (大整治): the responsible person rectifies, an inspector
re-inspects; passed closes the case through the loop, failed starts another round with a new
deadline; a round past its deadline is escalated once. Each step is one transaction with its
note on the case's timeline."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shouwang.cases.feeders import OPEN_STATES, CaseKind, case_note, case_settle, case_visible
from shouwang.core.errors import IllegalTransition, InvalidInput, PermissionDeniedError
from shouwang.core.models import User
from shouwang.core.roles import ENFORCEMENT_ROLES, RECTIFY_FOR_OTHERS_ROLES
from shouwang.inspections.deadlines import hazard_deadline
from shouwang.inspections.models import Hazard, HazardStatus, HazardStep, Severity, StepKind
from shouwang.inspections.selectors import hazard_get
from shouwang.inspections.services.inspections import landlord_of
from shouwang.inspections.services.notices import tell_responsible
from shouwang.inspections.services.stars import premises_stars_refresh
from shouwang.places.selectors import premises_get


def _locked(actor: User, case_id: int) -> Hazard:
    hazard_get(user=actor, case_id=case_id)  # 404 outside the actor's view
    return Hazard.objects.select_for_update().select_related("premises").get(case_id=case_id)


def _note_text(note: str) -> str:
    text = note.strip()
    if not text:
        raise InvalidInput(_("请填写说明。"), extra={"field": "note"})
    return text[:500]


@transaction.atomic
def hazard_rectify(*, actor: User, case_id: int, note: str) -> Hazard:
    """The responsible person (or a dispatcher for them) reports the hazard fixed. 409 unless
    the hazard awaits rectification."""
    text = _note_text(note)
    hazard = _locked(actor, case_id)
    if actor.pk != hazard.responsible_id and actor.role not in RECTIFY_FOR_OTHERS_ROLES:
        raise PermissionDeniedError(_("只有整改责任人或指挥中心可以提交整改。"))
    if hazard.status != HazardStatus.AWAITING_RECTIFICATION:
        raise IllegalTransition(_("该隐患当前不在待整改环节。"))
    hazard.status = HazardStatus.AWAITING_REINSPECTION
    hazard.rectified_by = actor
    hazard.save(update_fields=["status", "rectified_by"])
    HazardStep.objects.create(
        hazard=hazard, kind=StepKind.RECTIFY, round=hazard.rounds, actor=actor, note=text
    )
    case_note(
        case=hazard.case_id,
        actor=actor,
        text=gettext("第%(round)s轮整改已提交：%(note)s") % {"round": hazard.rounds, "note": text},
        source="inspections.rectify",
        data={"round": hazard.rounds},
    )
    return hazard


@transaction.atomic
def hazard_reinspect(*, actor: User, case_id: int, passed: bool, note: str) -> Hazard:
    """An inspector checks the rectification. Passed: the hazard is closed (销号) and its case
    settled. Failed: a new round with a new deadline by the hazard's level. 403 for someone
    who does not inspect or who submitted the rectification; 409 unless a rectification
    awaits re-inspection."""
    text = note.strip()[:500]
    if actor.role not in ENFORCEMENT_ROLES:
        raise PermissionDeniedError(_("只有检查人员可以复查。"))
    hazard = _locked(actor, case_id)
    if hazard.status != HazardStatus.AWAITING_REINSPECTION:
        raise IllegalTransition(_("该隐患当前不在待复查环节。"))
    if hazard.rectified_by_id == actor.pk:
        raise PermissionDeniedError(_("复查人不能是提交整改的人。"))
    now = timezone.now()
    kind = StepKind.REINSPECT_PASSED if passed else StepKind.REINSPECT_FAILED
    HazardStep.objects.create(hazard=hazard, kind=kind, round=hazard.rounds, actor=actor, note=text)
    if passed:
        hazard.status, hazard.closed_at = HazardStatus.CLOSED, now
        hazard.save(update_fields=["status", "closed_at"])
        case_settle(
            case=hazard.case_id,
            actor=actor,
            note=gettext("复查通过，隐患销号。") + (f" {text}" if text else ""),
            source="inspections.reinspect",
        )
    else:
        hazard.status = HazardStatus.AWAITING_RECTIFICATION
        hazard.rounds += 1
        hazard.deadline = hazard_deadline(level=hazard.level, start=now)
        hazard.rectified_by = None
        hazard.save(update_fields=["status", "rounds", "deadline", "rectified_by"])
        case_note(
            case=hazard.case_id,
            actor=actor,
            text=gettext("复查不通过，进入第%(round)s轮整改，期限 %(deadline)s。%(note)s")
            % {
                "round": hazard.rounds,
                "deadline": timezone.localtime(hazard.deadline).strftime("%Y-%m-%d %H:%M"),
                "note": text,
            },
            source="inspections.reinspect",
            data={"round": hazard.rounds, "deadline": hazard.deadline.isoformat()},
        )
        tell_responsible(hazard=hazard, what="reinspection_failed")
    premises_stars_refresh(premises=hazard.premises)
    return hazard


@transaction.atomic
def hazard_escalate_overdue(*, case_id: int) -> bool:
    """Escalates a round past its deadline, once per round: a step, a note on the case's
    timeline (announced to the case's room and screens by the loop), and the responsible
    person told. False when there was nothing to do (fixed meanwhile, or done by another
    worker)."""
    hazard = Hazard.objects.select_for_update().select_related("premises").get(case_id=case_id)
    now = timezone.now()
    if (
        hazard.status != HazardStatus.AWAITING_RECTIFICATION
        or hazard.deadline >= now
        or hazard.escalated_round >= hazard.rounds
    ):
        return False
    hazard.escalated_round = hazard.rounds
    hazard.save(update_fields=["escalated_round"])
    HazardStep.objects.create(hazard=hazard, kind=StepKind.OVERDUE, round=hazard.rounds)
    case_note(
        case=hazard.case_id,
        actor=None,
        text=gettext("整改逾期（第%(round)s轮），已上报督办。") % {"round": hazard.rounds},
        source="inspections.overdue",
        data={"round": hazard.rounds, "escalation": True},
    )
    tell_responsible(hazard=hazard, what="overdue")
    premises_stars_refresh(premises=hazard.premises)
    return True


@transaction.atomic
def hazard_adopt(*, actor: User, case_id: int, premises_code: str, level: str) -> Hazard:
    """Brings a hazard reported by a volunteer or a citizen (随手拍: a hazard case already in
    the loop) into the rectification rounds of a premises: the same detail record, deadline by
    level and responsible landlord as a failed check item. Refused: a role that does not
    inspect (403), a case or premises outside the actor's view (404), a case that is not a
    hazard or an unknown level (422), a case closed or already adopted (409)."""
    if actor.role not in ENFORCEMENT_ROLES:
        raise PermissionDeniedError(_("只有检查人员可以将隐患纳入整改。"))
    case = case_visible(user=actor, case_id=case_id)
    if case.kind != CaseKind.HAZARD:
        raise InvalidInput(_("该事件不是隐患类事件。"), extra={"field": "case"})
    if level not in Severity.values:
        raise InvalidInput(_("隐患等级无效。"), extra={"field": "level"})
    if case.state not in OPEN_STATES or Hazard.objects.filter(case_id=case.pk).exists():
        raise IllegalTransition(_("该事件已结束或已纳入整改。"))
    premises = premises_get(user=actor, code=premises_code)
    now = timezone.now()
    deadline = hazard_deadline(level=level, start=now)
    hazard = Hazard.objects.create(
        case=case,
        premises=premises,
        node=premises.node,
        level=level,
        responsible=landlord_of(premises),
        found_at=now,
        first_deadline=deadline,
        deadline=deadline,
    )
    case_note(
        case=case.pk,
        actor=actor,
        text=gettext("已纳入%(premises)s的隐患整改。") % {"premises": premises.name},
        source="inspections.adopt",
        data={"premises": premises.code, "level": level},
    )
    tell_responsible(hazard=hazard, what="found")
    premises_stars_refresh(premises=premises)
    return hazard
