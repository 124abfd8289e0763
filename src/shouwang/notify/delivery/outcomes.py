"""Recording what happened to claimed rows, in one transaction per batch. Only the worker that
holds a row's lease may record its outcome: a worker that overran its lease finds the row gone
to another worker and records nothing."""

import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, QuerySet

from shouwang.notify.deliverers import Outcome, OutcomeKind
from shouwang.notify.models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off (2 s, 4 s, 8 s … capped at an hour) with jitter in its upper half,
    so that messages failing together against one endpoint do not all retry in the same instant."""
    doublings = min(max(attempts - 1, 0), 20)  # 2 s × 2^20 is far past the cap already
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (1 << doublings))
    return ceiling * (0.5 + random.random() / 2)  # noqa: S311 (jitter, not a secret)


def outcomes_record(
    *, outcomes: Sequence[Outcome], claimed: Sequence[OutboxMessage], worker_id: str, now: datetime
) -> None:
    by_id = {m.pk: m for m in claimed}
    held = OutboxMessage.objects.filter(state=OutboxState.SENDING, lease_owner=worker_id)
    with transaction.atomic(durable=True):
        _record_delivered(held, [o for o in outcomes if o.kind == OutcomeKind.DELIVERED], now)
        for outcome in outcomes:
            if outcome.kind == OutcomeKind.DEFERRED:
                held.filter(pk=outcome.message_id).update(
                    state=OutboxState.PENDING,
                    next_attempt_at=outcome.retry_at or now,
                    attempts=F("attempts") - 1,
                    lease_until=None,
                    lease_owner="",
                )
            elif outcome.kind == OutcomeKind.FAILED:
                _record_failure(held, by_id[outcome.message_id], outcome, now)


def _record_delivered(
    held: QuerySet[OutboxMessage], delivered: Sequence[Outcome], now: datetime
) -> None:
    fields = {
        "state": OutboxState.DELIVERED,
        "delivered_at": now,
        "lease_until": None,
        "lease_owner": "",
        "last_error": "",
    }
    plain = [o.message_id for o in delivered if not o.provider_ref]
    if plain:
        held.filter(pk__in=plain).update(**fields)
    for outcome in (o for o in delivered if o.provider_ref):
        held.filter(pk=outcome.message_id).update(**fields, provider_ref=outcome.provider_ref)


def _record_failure(
    held: QuerySet[OutboxMessage], message: OutboxMessage, outcome: Outcome, now: datetime
) -> None:
    dead = outcome.permanent or message.attempts >= message.max_attempts
    held.filter(pk=message.pk).update(
        state=OutboxState.DEAD if dead else OutboxState.PENDING,
        next_attempt_at=now if dead else now + retry_delay(message.attempts),
        last_error=outcome.error[:2000],
        lease_until=None,
        lease_owner="",
    )
    log = logger.error if dead else logger.warning
    log(
        "outbox delivery failed id=%s channel=%s recipient=%s attempt=%s/%s dead=%s error=%s",
        message.pk,
        message.channel,
        message.recipient,
        message.attempts,
        message.max_attempts,
        dead,
        outcome.error[:200],
    )
