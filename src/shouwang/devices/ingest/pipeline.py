"""Where every reading goes, whatever brought it: alarms are committed one by one, at once, on
the caller's thread (never queued in memory, never shed); faults open a maintenance item; and
every reading, as a sign of life with its battery and signal values, is offered to the
heartbeat buffer, which may refuse it when full (the caller then pushes back on its sender)."""

import logging
import time
from dataclasses import dataclass, field

from shouwang.devices.ingest import stats
from shouwang.devices.ingest.directory import DeviceEntry, directory
from shouwang.devices.ingest.heartbeats import Beat, flusher_ensure, heartbeat_buffer
from shouwang.devices.ingest.readings import Meaning, Reading, interpret
from shouwang.devices.models import MaintenanceKind

logger = logging.getLogger(__name__)


@dataclass
class IngestOutcome:
    readings: int = 0
    alarms: int = 0  # new alarms raised
    duplicate_alarms: int = 0
    unknown_devices: int = 0
    heartbeats_refused: int = 0
    alarm_ids: list[int] = field(default_factory=list)

    @property
    def overloaded(self) -> bool:
        """Some reading carried nothing but a heartbeat and the buffer had no room for it."""
        return self.heartbeats_refused > 0


def ingest(readings: list[Reading], *, wait_seconds: float = 0.0) -> IngestOutcome:
    """Takes readings already authenticated by their entry point. `wait_seconds` > 0 lets a
    heartbeat wait for room in the buffer (MQTT back-pressure) instead of being refused."""
    outcome = IngestOutcome(readings=len(readings))
    flusher_ensure()
    for reading in readings:
        entry = directory.find(reading.device)
        if entry is None:
            outcome.unknown_devices += 1
            stats.count(f"unknown_device.{reading.source}")
            logger.info("reading from an unknown device", extra={"device": str(reading.device)})
            continue
        meaning = interpret(reading, entry.device_type)
        carried_more = meaning.alarm is not None or meaning.fault
        if carried_more:
            _act(entry, reading, meaning, outcome)
        if not _beat(entry, meaning, wait_seconds) and not carried_more:
            outcome.heartbeats_refused += 1
    stats.count("readings", len(readings))
    return outcome


def _act(entry: DeviceEntry, reading: Reading, meaning: Meaning, outcome: IngestOutcome) -> None:
    if meaning.alarm is not None:
        from shouwang.devices.services.alarms import alarm_raise

        raised = alarm_raise(
            device_id=entry.id,
            kind=meaning.alarm.kind,
            level=meaning.alarm.level,
            source=reading.source,
            message_id=reading.dedup_id(),
            occurred_at=reading.at,
            payload=reading.values,
        )
        outcome.alarms += raised.created
        outcome.duplicate_alarms += not raised.created
        outcome.alarm_ids.append(raised.alarm.pk)
        stats.count("alarms.new" if raised.created else "alarms.duplicate")
    if meaning.fault:
        from shouwang.devices.services.maintenance import maintenance_open

        maintenance_open(
            device_id=entry.id, kind=MaintenanceKind.FAULT, detail={"values": reading.values}
        )
        stats.count("faults")


FAULT = frozenset({MaintenanceKind.FAULT})
# Every beat carries which items its readings open and close; there are only a few such sets,
# so beats share them instead of each holding its own. A buffered beat lives long enough to
# reach the collector's oldest generation, and at 20,000 beats a second every object that gets
# there costs a full collection sooner.
_shared: dict[frozenset[MaintenanceKind], frozenset[MaintenanceKind]] = {}


def _kinds(kinds: set[MaintenanceKind]) -> frozenset[MaintenanceKind]:
    frozen = frozenset(kinds)
    return _shared.setdefault(frozen, frozen)


def _beat(entry: DeviceEntry, meaning: Meaning, wait_seconds: float) -> bool:
    # When we heard it, not the device's clock: a detector whose clock is off by a day must not
    # be taken offline (or kept online) by it. Faults have their own path (_act).
    beat = Beat(
        time.time(),
        entry.interval_s,
        meaning.battery,
        meaning.rsrp,
        meaning.snr,
        _kinds(meaning.opens - FAULT),
        _kinds(meaning.closes),
    )
    if wait_seconds > 0:
        return heartbeat_buffer.offer_wait(entry.id, beat, wait_seconds)
    return heartbeat_buffer.offer(entry.id, beat)
