"""Raising an alarm: committed on its own, at once, before the sender is answered (durability
rule 1), with its incident, case and notifications in the same transaction. Never coalesced,
never shed. A re-sent alarm (same device, same message) finds the first one and changes nothing."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from shouwang.devices.models import Alarm, AlarmKind, Device, Platform
from shouwang.devices.services.incidents import alarm_incident_join


@dataclass(frozen=True)
class RaisedAlarm:
    alarm: Alarm
    created: bool


def alarm_dedup_key(*, source: str, device_id: int, message_id: str) -> str:
    key = f"{source}:{device_id}:{message_id}"
    if len(key) <= 200:
        return key
    return f"{source}:{device_id}:sha256:{hashlib.sha256(message_id.encode()).hexdigest()}"


def alarm_raise(
    *,
    device_id: int,
    kind: AlarmKind,
    level: int,
    source: Platform,
    message_id: str,
    occurred_at: datetime,
    payload: dict[str, Any] | None = None,
) -> RaisedAlarm:
    """Records the alarm and opens or joins its premises' alarm incident, in one transaction.
    The same (source, device, message id) again returns the first alarm with `created` false."""
    key = alarm_dedup_key(source=source, device_id=device_id, message_id=message_id)
    existing = Alarm.objects.filter(dedup_key=key).first()
    if existing is not None:
        return RaisedAlarm(existing, created=False)
    alarm = Alarm(
        device_id=device_id,
        kind=kind,
        level=level,
        source=source,
        dedup_key=key,
        occurred_at=occurred_at,
        payload=payload or {},
    )
    try:
        _alarm_record(alarm)
    except IntegrityError:
        # Another process took the same re-sent alarm a moment earlier: its transaction won
        # and ours was rolled back whole (no savepoint around the INSERT, which costs two
        # statements on every alarm for a race that is rare).
        existing = Alarm.objects.filter(dedup_key=key).first()
        if existing is None:
            raise
        return RaisedAlarm(existing, created=False)
    # Counted after the commit, on its own: a heartbeat flush holds thousands of device rows
    # until it commits (hundreds of ms under a flood), and the alarm's case and notifications
    # must not wait for that. A crash just here leaves the counter one short; the alarm, its
    # incident and its notifications are committed.
    Device.objects.filter(pk=device_id).update(alarm_count=F("alarm_count") + 1)
    return RaisedAlarm(alarm, created=True)


@transaction.atomic
def _alarm_record(alarm: Alarm) -> None:
    # The device row is read, not locked: an alarm's transaction locks only its premises (the
    # alarms of one premises are one incident), so it never waits for a heartbeat flush.
    device = Device.objects.select_related("room").get(pk=alarm.device_id)
    alarm.device = device
    alarm_incident_join(alarm=alarm, device=device)
