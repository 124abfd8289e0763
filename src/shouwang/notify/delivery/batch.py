"""One round of delivery: claim due rows (committed), deliver them outside any transaction,
record the outcomes (committed). Safe to run in many threads and processes at once."""

import logging
import os
import socket
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.utils import timezone

from shouwang.notify.deliverers import DELIVERERS, DeliveryRuntime, Outcome
from shouwang.notify.deliverers.base import delivery_runtime, error_text
from shouwang.notify.delivery.claim import outbox_claim
from shouwang.notify.delivery.outcomes import outcomes_record
from shouwang.notify.models import Channel, OutboxMessage

logger = logging.getLogger(__name__)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:100]


def outbox_deliver_batch(
    *,
    limit: int = 100,
    worker_id: str | None = None,
    channels: Iterable[str] | None = None,
    now: datetime | None = None,
) -> int:
    """Delivers up to `limit` due messages (of `channels`, or all) and returns how many were
    claimed. Must not be called inside a transaction (the claim and the outcomes each commit on
    their own, and nothing is sent before the claim commits). `now` is for tests."""
    worker_id = worker_id or default_worker_id()
    claimed = outbox_claim(
        limit=limit, worker_id=worker_id, now=now or timezone.now(), channels=channels
    )
    if not claimed:
        return 0
    outcomes = outbox_deliver(claimed, now=now or timezone.now(), runtime=delivery_runtime())
    outcomes_record(
        outcomes=outcomes, claimed=claimed, worker_id=worker_id, now=now or timezone.now()
    )
    kinds = Counter(o.kind.value for o in outcomes)
    logger.debug("outbox batch worker=%s claimed=%d %s", worker_id, len(claimed), dict(kinds))
    return len(claimed)


def outbox_deliver(
    messages: Sequence[OutboxMessage], *, now: datetime, runtime: DeliveryRuntime
) -> list[Outcome]:
    """One outcome per message, whatever a channel does: a message without an outcome would sit
    in `sending` until its lease ran out."""
    by_channel: dict[str, list[OutboxMessage]] = defaultdict(list)
    for message in messages:
        by_channel[message.channel].append(message)
    outcomes: list[Outcome] = []
    for channel, group in by_channel.items():
        outcomes += _deliver_channel(channel, group, now=now, runtime=runtime)
    answered = {o.message_id for o in outcomes}
    outcomes += [Outcome.failed(m.pk, "no outcome") for m in messages if m.pk not in answered]
    return outcomes


def _deliver_channel(
    channel: str, messages: list[OutboxMessage], *, now: datetime, runtime: DeliveryRuntime
) -> list[Outcome]:
    deliverer = DELIVERERS.get(Channel(channel)) if channel in Channel.values else None
    if deliverer is None:
        return [
            Outcome.failed(m.pk, f"unknown channel {channel!r}", permanent=True) for m in messages
        ]
    try:
        return deliverer.deliver(messages, now=now, runtime=runtime)
    # Whatever one channel raises fails its own messages (for retry), not the whole batch.
    except Exception as exc:
        logger.exception("outbox channel failed channel=%s messages=%d", channel, len(messages))
        return [Outcome.failed(m.pk, error_text(exc)) for m in messages]
