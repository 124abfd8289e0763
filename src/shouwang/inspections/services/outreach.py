"""Training sessions with each person's "一懂三会" record, and publicity notices with read
receipts (seed 003: "小炬说事", 15 sessions)."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.models import User
from shouwang.core.roles import OUTREACH_ROLES
from shouwang.core.selectors import node_get, scope_q
from shouwang.inspections.models import Notice, NoticeRead, TrainingRecord, TrainingSession
from shouwang.inspections.selectors import notice_get
from shouwang.places.models import Premises


@transaction.atomic
def training_record(
    *,
    actor: User,
    node_code: str,
    topic: str,
    held_on: date,
    trainer: str,
    premises_codes: list[str],
    attendees: dict[str, bool],
) -> TrainingSession:
    """Records a session held in the actor's area: the premises trained and each attendee
    (username → passed "一懂三会"). Unknown or out-of-area premises or people: 422, nothing
    written."""
    if actor.role not in OUTREACH_ROLES:
        raise PermissionDeniedError()
    if not topic.strip() or not trainer.strip():
        raise InvalidInput(_("请填写培训主题和授课人。"), extra={"field": "topic"})
    node = node_get(user=actor, code=node_code)
    premises = list(Premises.objects.filter(scope_q(actor, via="node"), code__in=premises_codes))
    if len(premises) != len(set(premises_codes)):
        raise InvalidInput(_("有场所不存在或不在您的辖区内。"), extra={"field": "premises"})
    people = {
        u.username: u
        for u in User.objects.filter(scope_q(actor, via="node"), username__in=list(attendees))
    }
    unknown = sorted(set(attendees) - set(people))
    if unknown:
        raise InvalidInput(
            _("有人员不存在或不在您的辖区内。"), extra={"field": "attendees", "people": unknown}
        )
    session = TrainingSession.objects.create(
        node=node, topic=topic.strip(), held_on=held_on, trainer=trainer.strip(), recorded_by=actor
    )
    session.premises.set(premises)
    TrainingRecord.objects.bulk_create(
        TrainingRecord(session=session, person=people[name], passed=passed)
        for name, passed in attendees.items()
    )
    return session


@transaction.atomic
def notice_publish(*, actor: User, node_code: str, title: str, body: str) -> Notice:
    if actor.role not in OUTREACH_ROLES:
        raise PermissionDeniedError()
    if not title.strip() or not body.strip():
        raise InvalidInput(_("请填写标题和正文。"), extra={"field": "title"})
    node = node_get(user=actor, code=node_code)
    return Notice.objects.create(
        node=node, title=title.strip(), body=body.strip(), published_by=actor
    )


def notice_read(*, actor: User, notice_id: int) -> NoticeRead:
    """The actor's read receipt (the first one stays)."""
    notice = notice_get(user=actor, notice_id=notice_id)
    receipt, _created = NoticeRead.objects.get_or_create(notice=notice, person=actor)
    return receipt
