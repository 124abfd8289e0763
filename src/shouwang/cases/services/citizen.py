"""What citizens and volunteers write from the public pages: a report (随手拍: category, photo,
the phone's position, description), and their own satisfaction rating of a closed case from the
tracking link.

A report goes through the one intake (services/intake.py) as the web channel when anonymous and
the app channel when a volunteer is signed in (then it is theirs: `created_by`). Its photo is
checked before anything is written, so a bad photo leaves neither case nor file behind.

The rating is the callback (回访) given by the citizen themselves: the receipt code is the
credential, so no leader is needed, but the recording is callback_record's (services/lifecycle.py
`callback_take`): only a closed case, rated once per closure (rules/actions.py), and an
unsatisfied rating reopens it in the same commit."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases import clock
from shouwang.cases.models import Callback, CallbackResult, Case, CaseChannel, CaseKind, Category
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.services.attachments import FORMATS, attachment_record, checked_image
from shouwang.cases.services.intake import case_intake
from shouwang.cases.services.lifecycle import callback_follow_up, callback_take
from shouwang.cases.services.step import case_step
from shouwang.cases.states import CaseAction
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.core.models import User

REPORT_DESCRIPTION_MAX = 1000
RATING_NOTE_MAX = 500
CITIZEN_RESULTS = frozenset({CallbackResult.SATISFIED, CallbackResult.UNSATISFIED})


def citizen_report(
    *,
    actor: User | None,
    category: Category,
    description: str,
    lat: float | None,
    lng: float | None,
    coord_system: str = "wgs84",
    address: str = "",
    photo: bytes | None = None,
) -> Case:
    """Files a citizen's or volunteer's report and returns the committed case (its receipt code
    is the reporter's way back). Refused with InvalidInput, nothing written, when the category
    is not public, the description is empty or too long, the position is missing (a phone
    report is placed by its position), or the photo is not a picture."""
    signed_in = actor if actor is not None and actor.is_authenticated else None
    text = _report_text(description)
    if not (category.is_public and category.is_active):
        raise InvalidInput(_("请选择事件类别。"), extra={"field": "category"})
    if lat is None or lng is None:
        raise InvalidInput(
            _("请提供事件位置：点击“获取我的位置”，或在地图上选点。"), extra={"field": "lat"}
        )
    checked = checked_image(photo) if photo else None
    stored, committed = "", False
    try:
        with transaction.atomic():
            case = case_intake(
                actor=signed_in,
                category=category,
                description=text,
                channel=CaseChannel.APP if signed_in else CaseChannel.WEB,
                kind=CaseKind.REPORT,
                lat=lat,
                lng=lng,
                coord_system=coord_system,
                address=address,
            ).case
            if checked is not None:
                content, image_format, width, height = checked
                content_type, extension = FORMATS[image_format]
                stored = default_storage.save(_photo_name(extension), ContentFile(content))
                # The case was made in this transaction: nobody else can hold it yet.
                with case_step(
                    case, actor=signed_in, action=None, vouched=True, locked=True
                ) as step:
                    attachment_record(step, stored, content, content_type, width, height, "")
        committed = True
    finally:
        if stored and not committed:
            default_storage.delete(stored)
    return case


def _report_text(description: str) -> str:
    text = description.strip()
    if not text:
        raise InvalidInput(_("请描述发生了什么。"), extra={"field": "description"})
    if len(text) > REPORT_DESCRIPTION_MAX:
        raise InvalidInput(
            _("描述不能超过 %(max)d 个字。") % {"max": REPORT_DESCRIPTION_MAX},
            extra={"field": "description"},
        )
    return text


def _photo_name(extension: str) -> str:
    """Generated like attachment_add's names; the client's file name is never used."""
    day = clock.now().astimezone(SHANGHAI)
    return f"cases/{day:%Y/%m}/{uuid.uuid4().hex}.{extension}"


@transaction.atomic
def citizen_callback_record(
    *, receipt_code: str, result: CallbackResult, note: str = ""
) -> Callback:
    """The citizen rates the handling of their closed case from the tracking link. NotFound for
    an unknown code; IllegalTransition (409) when the case is not closed; Conflict (409) when
    this closure was already rated; InvalidInput for a result other than satisfied or
    unsatisfied, or a comment too long. Unsatisfied reopens the case (callback_record's rule)."""
    if result not in CITIZEN_RESULTS:
        raise InvalidInput(_("请选择满意或不满意。"), extra={"field": "result"})
    text = note.strip()
    if len(text) > RATING_NOTE_MAX:
        raise InvalidInput(
            _("意见不能超过 %(max)d 个字。") % {"max": RATING_NOTE_MAX}, extra={"field": "note"}
        )
    found = Case.objects.filter(receipt_code=receipt_code.strip().upper()).only("pk").first()
    if found is None:
        raise NotFound()
    # The receipt code is the citizen's credential: the step is vouched for by it.
    with case_step(found.pk, actor=None, action=CaseAction.CALLBACK, vouched=True) as step:
        callback = callback_take(step, result=result, note=text, by="citizen")
    callback_follow_up(step, callback, reason=str(_("群众评价不满意")))
    return callback
