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


@transaction.atomic
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
    """Records the alarm and opens or joins its premises' alarm incident. The same
    (source, device, message id) again returns the first alarm with `created` false."""
    key = alarm_dedup_key(source=source, device_id=device_id, message_id=message_id)
    existing = Alarm.objects.filter(dedup_key=key).first()
    if existing is not None:
        return RaisedAlarm(existing, created=False)
    device = Device.objects.get(pk=device_id)
    alarm = Alarm(
        device=device,
        kind=kind,
        level=level,
        source=source,
        dedup_key=key,
        occurred_at=occurred_at,
        payload=payload or {},
    )
    try:
        with transaction.atomic():
            alarm.save()
    except IntegrityError:
        # Another process took the same re-sent alarm a moment earlier.
        return RaisedAlarm(Alarm.objects.get(dedup_key=key), created=False)
    Device.objects.filter(pk=device_id).update(alarm_count=F("alarm_count") + 1)
    alarm_incident_join(alarm=alarm, device=device)
    return RaisedAlarm(alarm, created=True)
