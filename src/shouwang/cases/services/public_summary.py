"""The outcome told to the caller: a short text the responder or the dispatcher writes for the
tracking page (/track/<receipt>/). It is public, so it must not carry personal data; a run of
digits long enough to be a phone or ID number is refused."""

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Case, TimelineKind
from shouwang.cases.rules.room import is_room_member
from shouwang.cases.services.step import case_step
from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.models import User

PUBLIC_SUMMARY_MAX = 500
# Seven digits or more, with the separators people type: a phone, an ID or a plate's digits.
_LOOKS_PERSONAL = re.compile(r"\d[\d\s\-]{5,}\d|\d{6,}[0-9Xx]")


@transaction.atomic
def case_public_summary_set(*, actor: User, case: Case | int, text: str) -> Case:
    """Sets (or clears, with blank text) the public summary; only the case's command room —
    its dispatchers, leaders and assignees — may write it. Kept on the timeline."""
    clean = text.strip()
    if len(clean) > PUBLIC_SUMMARY_MAX:
        raise InvalidInput(_("处理结果最多500字。"), extra={"field": "text"})
    if _LOOKS_PERSONAL.search(clean):
        raise InvalidInput(
            _("处理结果对群众公开，请勿填写电话、身份证号等个人信息。"), extra={"field": "text"}
        )
    # A step that does not move the case: the kernel locks it and checks the actor sees it.
    with case_step(case, actor=actor, action=None) as step:
        if not is_room_member(actor, step.case):
            raise PermissionDeniedError(_("只有事件的指挥和处置人员可以填写处理结果。"))
        step.case.public_summary = clean
        step.change("public_summary")
        step.record(
            TimelineKind.FEEDBACK,
            data={"public_summary": clean},
            public=False,
            transition=False,
            screens=False,
        )
    return step.case
