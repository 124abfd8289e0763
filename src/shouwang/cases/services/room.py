"""Writes of the case room (the 建群 of five-in-sync dispatch: the room opens with the first
dispatch, services/dispatch.py). Its members are the case's command — dispatchers, leaders and
admins of its jurisdiction — and its assignees (rules/room.py `is_room_member`). They post
messages, which are timeline events like any other step (全流程可溯) and reach the room
through the outbox; photos go up through attachments.py and appear as `attachment_added`
events.

Positions are presence, not history: the phone's latest position is kept only as the person's
ResponderStatus row (responder_position_report: the track itself is sensitive, PIPL, and not
stored), so a position is neither a timeline event nor an outbox row. The socket that received
it fans it out to the room's other sockets (cases/consumers.py), and a socket that (re)connects
reads the latest positions of the case's assignees from the database."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import (
    Assignment,
    Case,
    ResponderStatus,
    TimelineEvent,
)
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.rules.authority import (
    require_visible,
)
from shouwang.cases.rules.room import ROOM_MESSAGE_KIND, require_room_member
from shouwang.cases.services.responders import responder_position_report
from shouwang.cases.services.step import case_step
from shouwang.cases.states import CaseState
from shouwang.core.errors import IllegalTransition, InvalidInput, PermissionDeniedError
from shouwang.core.models import User

MESSAGE_MAX_CHARS = 1000


@transaction.atomic
def room_message_post(*, actor: User, case: Case, text: str) -> TimelineEvent:
    """Posts a message to the case room: one timeline event, announced to the room only (the
    screens show steps, not chatter). The case row is locked so messages and steps keep one
    order in the timeline."""
    with case_step(case, actor=actor, action=None) as step:
        require_room_member(actor, step.case)
        if step.case.state == CaseState.MERGED:
            raise IllegalTransition(_("已合并的事件的处置群已关闭，请到合并后的事件中发言。"))
        body = text.strip()
        if not body:
            raise InvalidInput(_("消息不能为空。"), extra={"field": "text"})
        if len(body) > MESSAGE_MAX_CHARS:
            raise InvalidInput(
                _("消息不能超过 %(n)d 个字。") % {"n": MESSAGE_MAX_CHARS},
                extra={"field": "text"},
            )
        event = step.record(
            ROOM_MESSAGE_KIND,
            data={"text": body},
            public=False,
            transition=False,
            screens=False,
        )
    return event


def room_position_report(
    *, actor: User, case: Case, lat: float, lng: float, coord_system: str = "wgs84"
) -> ResponderStatus:
    """Records where an assignee working the case is (their ResponderStatus, which also feeds
    the dispatchers' nearest-responder suggestions). Only someone holding an open assignment on
    the case shares a position in its room; the caller fans the position out to the room."""
    require_visible(actor, case)
    mine = Q(person=actor)
    if actor.unit_id is not None:
        mine |= Q(unit_id=actor.unit_id, person__isnull=True)
    working = Assignment.objects.filter(mine, case=case, state__in=OPEN_ASSIGNMENT_STATES).exists()
    if not working:
        raise PermissionDeniedError(_("只有正在处置该事件的人员可以在处置群共享位置。"))
    return responder_position_report(actor=actor, lat=lat, lng=lng, coord_system=coord_system)
