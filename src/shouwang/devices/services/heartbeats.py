"""Committing a batch of coalesced heartbeats: one statement moves every device's last-seen time
and offline deadline (3 × its heartbeat interval later), only ever forwards; then the few devices
that were not online are brought online, and maintenance items follow the batteries and signal
levels reported. ARCHITECTURE.md: batch heartbeats (PostgreSQL ~116,000 rows/s in one
transaction), commit alarms one by one."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from shouwang.devices.ingest.heartbeats import Beat
from shouwang.devices.models import Device, DeviceState, MaintenanceKind
from shouwang.devices.services.maintenance import (
    device_back_online,
    maintenance_open,
    maintenance_resolve,
)

# Missing this many heartbeats in a row makes a device offline (issue 5: 3 × its interval).
MISSED_BEATS_OFFLINE = 3
# Kinds a heartbeat's readings open and close; offline and faults have their own paths.
READING_KINDS = (MaintenanceKind.LOW_BATTERY, MaintenanceKind.WEAK_SIGNAL)

# The batch travels as text array literals ('{1,2,3}'), joined in C: a list parameter would be
# adapted element by element in Python, 20,000 × 6 values holding the interpreter lock that the
# MQTT reader needs. Times are epoch seconds (float8 round-trips a float exactly); the offline
# deadline is computed by the database.
PG_UPDATE = """
UPDATE devices_device AS d
SET last_seen_at = to_timestamp(v.at),
    offline_after = to_timestamp(v.at + %s * v.interval_s),
    battery_level = COALESCE(v.battery, d.battery_level),
    rsrp = COALESCE(v.rsrp, d.rsrp), snr = COALESCE(v.snr, d.snr)
FROM unnest(%s::bigint[], %s::float8[], %s::integer[], %s::smallint[],
            %s::smallint[], %s::smallint[]) AS v(id, at, interval_s, battery, rsrp, snr)
WHERE d.id = v.id AND (d.last_seen_at IS NULL OR d.last_seen_at < to_timestamp(v.at))
"""
# Row locks in id order (PostgreSQL): two flushers whose batches share devices (a shared MQTT
# subscription splits one device's beats between processes) queue, not deadlock. Every row is
# locked; only the few not yet online come back to Python.
PG_LOCK = """
WITH locked AS MATERIALIZED (
    SELECT id, state FROM devices_device WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE
)
SELECT id, state FROM locked WHERE state <> %s
"""
SQLITE_UPDATE = """
UPDATE devices_device
SET last_seen_at = %s, offline_after = %s, battery_level = COALESCE(%s, battery_level),
    rsrp = COALESCE(%s, rsrp), snr = COALESCE(%s, snr)
WHERE id = %s AND (last_seen_at IS NULL OR last_seen_at < %s)
"""


@dataclass(frozen=True)
class CommitResult:
    rows: int
    came_online: int
    back_from_offline: int


def _array(values: Iterable[int | float | None]) -> str:
    """A PostgreSQL array literal of numbers (None → NULL). repr keeps a float exact."""
    return "{" + ",".join(["NULL" if v is None else repr(v) for v in values]) + "}"


def _write_last_seen(beats: Mapping[int, Beat]) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            listed = list(beats.values())
            columns = [
                _array(beats),
                _array([beat.at for beat in listed]),
                _array([beat.interval_s for beat in listed]),
                _array([beat.battery for beat in listed]),
                _array([beat.rsrp for beat in listed]),
                _array([beat.snr for beat in listed]),
            ]
            cursor.execute(PG_UPDATE, [MISSED_BEATS_OFFLINE, *columns])
            return int(cursor.rowcount)
        cursor.executemany(SQLITE_UPDATE, _sqlite_rows(beats))
        return len(beats)


def _sqlite_rows(beats: Mapping[int, Beat]) -> list[tuple[Any, ...]]:
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for device_id, beat in beats.items():
        at = datetime.fromtimestamp(beat.at, tz=UTC)
        deadline = at + timedelta(seconds=MISSED_BEATS_OFFLINE * beat.interval_s)
        rows.append(
            (adapt(at), adapt(deadline), beat.battery, beat.rsrp, beat.snr, device_id, adapt(at))
        )
    return rows


def heartbeats_commit(*, beats: Mapping[int, Beat]) -> CommitResult:
    """Writes one batch. Safe to run in any number of processes at once: last-seen only moves
    forwards, and state changes are conditional updates that one writer wins. The batch is one
    transaction; each state change after it is its own (one premises locked at a time), and a
    crash between the two is mended by the device's next heartbeat."""
    if not beats:
        return CommitResult(0, 0, 0)
    written, came_online, offline = _write_batch(beats)
    back = sum(device_back_online(device_id=pk) for pk in offline)
    _follow_readings(beats)
    return CommitResult(written, came_online, back)


def _ids_in(ids: list[int]) -> tuple[str, list[Any]]:
    """`id IN (…)` as one array literal on PostgreSQL (a 20,000-id IN list costs more to build
    than to run), placeholders on SQLite."""
    if connection.vendor == "postgresql":
        return "= ANY(%s::bigint[])", [_array(ids)]
    return "IN (" + ",".join(["%s"] * len(ids)) + ")", list(ids)


def _not_online(ids: list[int]) -> dict[int, str]:
    """Locks the batch's rows and answers the state of those not online (a handful)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_LOCK, [_array(ids), DeviceState.ONLINE])
            return dict(cursor.fetchall())
        clause, params = _ids_in(ids)
        sql = f"SELECT id, state FROM devices_device WHERE id {clause}"  # noqa: S608
        cursor.execute(sql, params)
        return {pk: state for pk, state in cursor.fetchall() if state != DeviceState.ONLINE}


@transaction.atomic
def _write_batch(beats: Mapping[int, Beat]) -> tuple[int, int, list[int]]:
    states = _not_online(sorted(beats))
    written = _write_last_seen(beats)
    fresh = [pk for pk, state in states.items() if state == DeviceState.NEW]
    came_online = 0
    if fresh:
        came_online = Device.objects.filter(pk__in=fresh, state=DeviceState.NEW).update(
            state=DeviceState.ONLINE, state_changed_at=timezone.now()
        )
    offline = sorted(pk for pk, state in states.items() if state == DeviceState.OFFLINE)
    return written, came_online, offline


def _follow_readings(beats: Mapping[int, Beat]) -> None:
    """Opens and resolves low-battery and weak-signal items where the readings disagree with
    what is open, with one query for the whole batch. Nearly every beat says "battery fine,
    signal fine" and nearly nothing is open, so the work is over what is open and what opens,
    not over the batch."""
    concerned = [pk for pk, beat in beats.items() if beat.opens or beat.closes]
    if not concerned:
        return
    clause, params = _ids_in(concerned)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT device_id, kind FROM devices_maintenanceitem WHERE resolved_at IS NULL "  # noqa: S608
            f"AND kind IN (%s, %s) AND device_id {clause}",
            [*READING_KINDS, *params],
        )
        open_now = set(cursor.fetchall())
    for device_id, kind in sorted(open_now):
        if kind in beats[device_id].closes:
            maintenance_resolve(device_id=device_id, kind=kind)
    for device_id in concerned:
        beat = beats[device_id]
        for kind in READING_KINDS if beat.opens else ():
            if kind in beat.opens and (device_id, kind) not in open_now:
                maintenance_open(device_id=device_id, kind=kind, detail=_detail(beat))


def _detail(beat: Beat) -> dict[str, Any]:
    return {"battery": beat.battery, "rsrp": beat.rsrp, "snr": beat.snr}
