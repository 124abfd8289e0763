"""Enforcement on a hazard (罚、改、停、拘): each measure rests on a seeded legal provision, and a
fine must lie within the provision's range. The decision goes on the case's timeline."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shouwang.cases.feeders import case_note
from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.models import User
from shouwang.core.roles import ENFORCEMENT_ROLES
from shouwang.inspections.models import Enforcement, EnforcementKind, Hazard, Provision
from shouwang.inspections.selectors import hazard_get


def _amount(kind: str, provision: Provision, amount: object) -> Decimal | None:
    if kind != EnforcementKind.FINE:
        if amount not in (None, "", 0):
            raise InvalidInput(_("只有罚款需要填写金额。"), extra={"field": "amount"})
        return None
    if provision.fine_min is None or provision.fine_max is None:
        raise InvalidInput(_("该条款不能作为罚款依据。"), extra={"field": "provision"})
    try:
        value = Decimal(str(amount)) if amount not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise InvalidInput(_("请填写罚款金额。"), extra={"field": "amount"})
    if not provision.fine_min <= value <= provision.fine_max:
        raise InvalidInput(
            _("罚款金额超出该条款规定的范围。"),
            extra={
                "field": "amount",
                "min": str(provision.fine_min),
                "max": str(provision.fine_max),
            },
        )
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def enforcement_decide(
    *, actor: User, case_id: int, kind: str, provision_code: str, amount: object = None
) -> Enforcement:
    """Records one measure. Refused: a role that does not enforce (403), a hazard outside the
    actor's view (404), an unknown measure, a missing or unknown provision, a fine without an
    amount in range or an amount on another measure (422)."""
    if actor.role not in ENFORCEMENT_ROLES:
        raise PermissionDeniedError(_("只有执法检查人员可以作出处理决定。"))
    if kind not in EnforcementKind.values:
        raise InvalidInput(_("没有这种处理措施。"), extra={"field": "kind"})
    if not provision_code:
        raise InvalidInput(_("请选择法律依据。"), extra={"field": "provision"})
    provision = Provision.objects.filter(code=provision_code, is_active=True).first()
    if provision is None:
        raise InvalidInput(_("没有这个法律依据。"), extra={"field": "provision"})
    value = _amount(kind, provision, amount)
    hazard_get(user=actor, case_id=case_id)
    hazard = Hazard.objects.select_for_update().get(case_id=case_id)
    count = Enforcement.objects.filter(hazard=hazard).count()
    number = f"SW{timezone.localdate():%Y%m%d}-{hazard.case_id}-{count + 1}"
    decision = Enforcement.objects.create(
        hazard=hazard, kind=kind, provision=provision, amount=value, number=number, decided_by=actor
    )
    label = EnforcementKind(kind).label
    text = gettext("执法决定 %(number)s：%(kind)s，依据%(law)s%(article)s") % {
        "number": number,
        "kind": label,
        "law": provision.law,
        "article": provision.article,
    }
    if value is not None:
        text += gettext("，罚款 %(amount)s 元") % {"amount": value}
    case_note(
        case=hazard.case_id,
        actor=actor,
        text=text,
        source="inspections.enforcement",
        data={"enforcement": decision.pk, "kind": kind, "provision": provision.code},
    )
    return decision
