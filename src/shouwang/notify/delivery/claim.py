"""Claiming due outbox rows. A row is due when it is pending and its time has come, or when it is
being sent under a lease that has run out (its worker died or hung). The claim marks the rows
`sending` under a lease in its own short transaction and commits before anything is sent:
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL lets two workers claim disjoint rows at once;
SQLite ignores it, and its single write lock serialises the claims instead."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q

from shouwang.notify.models import OutboxMessage, OutboxState

LEASE = timedelta(seconds=30)


def _due(now: datetime) -> Q:
    return Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(
        state=OutboxState.SENDING, lease_until__lt=now
    )


def outbox_claim(
    *, limit: int, worker_id: str, now: datetime, channels: Iterable[str] | None = None
) -> list[OutboxMessage]:
    """Claims up to `limit` due rows for `worker_id`, committed before returning. Each claim
    counts as an attempt, so a message that kills its worker every time still runs out of
    attempts and ends dead instead of looping."""
    due = OutboxMessage.objects.filter(_due(now))
    if channels is not None:
        due = due.filter(channel__in=list(channels))
    # On SQLite a plain read first: an idle poll must not take the write lock, which intake
    # needs. PostgreSQL's SKIP LOCKED claim blocks no one, so the read would only cost a trip.
    if connection.vendor == "sqlite" and not due.exists():
        return []
    with transaction.atomic(durable=True):
        locked = due.select_for_update(skip_locked=True)
        rows = list(locked.order_by("next_attempt_at", "id")[:limit])
        if not rows:
            return []
        exhausted = [r for r in rows if r.attempts >= r.max_attempts]
        if exhausted:
            _bury(exhausted, now=now)
        rows = [r for r in rows if r.attempts < r.max_attempts]
        OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=OutboxState.SENDING,
            lease_until=now + LEASE,
            lease_owner=worker_id,
            attempts=F("attempts") + 1,
        )
    for row in rows:
        row.state, row.lease_owner, row.attempts = OutboxState.SENDING, worker_id, row.attempts + 1
    return rows


def _bury(rows: list[OutboxMessage], *, now: datetime) -> None:
    """Rows with no attempts left: mostly those whose lease ran out on their last attempt
    (nobody knows whether it reached the far end); they go to the dead letters."""
    for row in rows:
        lost_lease = row.state == OutboxState.SENDING
        OutboxMessage.objects.filter(pk=row.pk).update(
            state=OutboxState.DEAD,
            lease_until=None,
            lease_owner="",
            last_error="lease expired during the last attempt" if lost_lease else row.last_error,
            next_attempt_at=now,
        )
