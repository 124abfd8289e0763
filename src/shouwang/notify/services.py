"""Writes of the notify app. `outbox_enqueue` is the only way anything leaves the system: call it
inside the transaction that changes state, and the message is delivered after commit."""

from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from shouwang.core.models import JurisdictionNode, User
from shouwang.notify.models import Channel, OutboxMessage
from shouwang.notify.wake import outbox_wake


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
    now = timezone.now()
    message = OutboxMessage(
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
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return OutboxMessage.objects.get(idempotency_key=idempotency_key)
    transaction.on_commit(outbox_wake)
    return message
