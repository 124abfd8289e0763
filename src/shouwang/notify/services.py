"""Writes of the notify app. `outbox_enqueue` is the only way anything leaves the system: call it
inside the transaction that changes state, and the message is delivered after commit."""

import hashlib
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.db_insert import insert_rows
from shouwang.core.errors import IllegalTransition, NotFound
from shouwang.core.models import AuditAction, JurisdictionNode, User
from shouwang.core.services.audit import audit_record
from shouwang.notify.delivery.now import outbox_hand_off, preclaim, sender_here
from shouwang.notify.models import Channel, OutboxMessage, OutboxState
from shouwang.notify.selectors import messages_scope_q, notify_operator_check
from shouwang.notify.wake import outbox_wake

# core.AuditAction has no member for this yet (asked for: OUTBOX_RESENT = "outbox_resent");
# the column is a plain CharField, so the value is stored as it is until then.
AUDIT_OUTBOX_RESENT = AuditAction.OUTBOX_RESENT
RENOTIFY_SUFFIX = ":renotify:1"


def outbox_message(
    *,
    channel: Channel,
    recipient: str,
    payload: dict[str, object],
    idempotency_key: str,
    node: JurisdictionNode | None = None,
    person: User | None = None,
    requires_ack: bool = False,
    ack_within: timedelta | None = None,
    subject: models.Model | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """One message, not yet saved: for `outbox_enqueue_many`."""
    now = now or timezone.now()
    return OutboxMessage(
        channel=channel,
        recipient=recipient,
        payload=payload,
        idempotency_key=idempotency_key,
        next_attempt_at=now,
        node=node,
        person=person,
        requires_ack=requires_ack,
        ack_deadline=now + ack_within if ack_within else None,
        subject_type=subject._meta.label if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
    )


def outbox_enqueue(
    *,
    channel: Channel,
    recipient: str,
    payload: dict[str, object],
    idempotency_key: str,
    node: JurisdictionNode | None = None,
    person: User | None = None,
    requires_ack: bool = False,
    ack_within: timedelta | None = None,
    subject: models.Model | None = None,
) -> OutboxMessage:
    """Adds one message to the outbox. The same idempotency key twice gives the first message
    back unchanged, so a retried request cannot notify twice."""
    return _outbox_add(
        outbox_message(
            channel=channel,
            recipient=recipient,
            payload=payload,
            idempotency_key=idempotency_key,
            node=node,
            person=person,
            requires_ack=requires_ack,
            ack_within=ack_within,
            subject=subject,
        )
    )


def outbox_enqueue_many(messages: Iterable[OutboxMessage]) -> None:
    """Adds several messages (built with `outbox_message`) in one INSERT … ON CONFLICT DO
    NOTHING on the idempotency key: a key already in the outbox, or repeated in `messages`,
    keeps the first message, exactly as `outbox_enqueue` does, without a savepoint per row. The
    workers are woken once, after commit; when this process serves sockets, its WebSocket rows
    are instead handed to the serving loop right after it (delivery/now.py), with their ids."""
    seen: set[str] = set()
    rows = []
    for message in messages:
        if message.idempotency_key not in seen:
            seen.add(message.idempotency_key)
            rows.append(message)
    if not rows:
        return
    realtime = [m for m in rows if m.channel == Channel.WEBSOCKET]
    owner = preclaim(realtime, timezone.now()) if realtime and sender_here() else ""
    insert_rows(rows, ignore_conflicts=True, conflict_key="idempotency_key" if owner else None)
    if owner:
        # After the INSERT: outside a transaction on_commit runs at once. robust: the step is
        # committed whatever happens here; what fails is the workers'.
        transaction.on_commit(partial(outbox_hand_off, realtime), robust=True)
    if not owner or len(realtime) < len(rows):
        _wake_after_commit()


def _wake_after_commit() -> None:
    """Registers a wake-up of the delivery workers for the current transaction's commit; however
    many a transaction registers, its commit wakes them once (one Redis PUBLISH, not one a row).
    Outside a transaction it wakes them now."""
    transaction.on_commit(partial(_wake_once, _wakes.epoch))


class _Wakes(threading.local):
    # The hooks of one commit run one after another on its thread: the first wakes the
    # workers and starts a new epoch, the rest of that commit see theirs is done. A transaction
    # rolled back runs none of its hooks, so its epoch is simply used by the next one.
    epoch = 0


_wakes = _Wakes()


def _wake_once(epoch: int) -> None:
    if epoch == _wakes.epoch:
        _wakes.epoch += 1
        outbox_wake()


def _outbox_add(message: OutboxMessage) -> OutboxMessage:
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return OutboxMessage.objects.get(idempotency_key=message.idempotency_key)
    _wake_after_commit()
    return message


@transaction.atomic
def notification_acknowledge(*, actor: User, message_id: int) -> OutboxMessage:
    """The message's person confirms they have seen it. Acknowledging twice changes nothing;
    acknowledging a re-notification acknowledges its original too, and the other way round."""
    message = (
        OutboxMessage.objects.select_for_update().filter(pk=message_id, person_id=actor.pk).first()
    )
    if message is None or not actor.is_active:
        raise NotFound()
    if message.acked_at is None:
        now = timezone.now()
        root_id = message.renotify_of_id or message.pk
        OutboxMessage.objects.filter(
            Q(pk=root_id) | Q(renotify_of_id=root_id), acked_at__isnull=True
        ).update(acked_at=now)
        message.acked_at = now
    return message


def notifications_acknowledge_for(*, person: User, subject: models.Model) -> int:
    """Acknowledges every notification `person` still owes an acknowledgement for about
    `subject` (e.g. accepting a task is the acknowledgement of its dispatch), so no reminder
    follows. Returns how many were acknowledged."""
    return OutboxMessage.objects.filter(
        person_id=person.pk,
        subject_type=subject._meta.label,
        subject_id=str(subject.pk),
        requires_ack=True,
        acked_at__isnull=True,
    ).update(acked_at=timezone.now())


def notifications_overdue_ack(
    *, now: datetime | None = None, limit: int = 100
) -> list[OutboxMessage]:
    """Re-notifies, once, each message that needed an acknowledgement and did not get one by its
    deadline, and returns those messages (the originals) for callers that escalate further.
    Exactly once even with several sweepers: a message is taken by a conditional UPDATE, and the
    re-notification's idempotency key is derived from the original's."""
    now = now or timezone.now()
    overdue = OutboxMessage.objects.filter(
        requires_ack=True,
        acked_at__isnull=True,
        renotified_at__isnull=True,
        renotify_of__isnull=True,
        ack_deadline__lte=now,
    )
    if not overdue.exists():  # a plain read: the idle sweep takes no write lock
        return []
    with transaction.atomic():
        rows = list(overdue.select_for_update(skip_locked=True).order_by("ack_deadline")[:limit])
        taken = [m for m in rows if _renotify_take(m, now)]
        for message in taken:
            _renotify(message, now)
    return taken


def _renotify_take(message: OutboxMessage, now: datetime) -> bool:
    won = OutboxMessage.objects.filter(
        pk=message.pk, renotified_at__isnull=True, acked_at__isnull=True
    ).update(renotified_at=now)
    message.renotified_at = now if won else message.renotified_at
    return won == 1


def _renotify(message: OutboxMessage, now: datetime) -> OutboxMessage:
    payload: dict[str, Any] = {**message.payload, "renotify": 1, "original_id": message.pk}
    return _outbox_add(
        OutboxMessage(
            channel=message.channel,
            recipient=message.recipient,
            payload=payload,
            idempotency_key=derived_key(message.idempotency_key, RENOTIFY_SUFFIX),
            next_attempt_at=now,
            node_id=message.node_id,
            person_id=message.person_id,
            renotify_of=message,
            subject_type=message.subject_type,
            subject_id=message.subject_id,
        )
    )


def derived_key(key: str, suffix: str) -> str:
    """`key + suffix`, hashed down when it would not fit the column (200 characters)."""
    if len(key) + len(suffix) <= 200:
        return key + suffix
    return hashlib.sha256(key.encode()).hexdigest() + suffix


@transaction.atomic
def outbox_resend(
    *, actor: User, message_id: int, request: HttpRequest | None = None
) -> OutboxMessage:
    """Puts a dead letter back in the queue with fresh attempts; audited."""
    notify_operator_check(actor)
    message = (
        OutboxMessage.objects.select_for_update(of=("self",))
        .filter(messages_scope_q(actor), pk=message_id)
        .select_related("node")
        .first()
    )
    if message is None:
        raise NotFound()
    if message.state != OutboxState.DEAD:
        raise IllegalTransition(_("只有发送失败的消息可以重新发送。"))
    message.state, message.attempts = OutboxState.PENDING, 0
    message.next_attempt_at, message.lease_until, message.lease_owner = timezone.now(), None, ""
    message.save(
        update_fields=["state", "attempts", "next_attempt_at", "lease_until", "lease_owner"]
    )
    audit_record(
        action=AUDIT_OUTBOX_RESENT,
        actor=actor,
        request=request,
        target=message,
        node_path=message.node.path if message.node else "",
        detail={"channel": message.channel, "last_error": message.last_error[:200]},
    )
    _wake_after_commit()
    return message
