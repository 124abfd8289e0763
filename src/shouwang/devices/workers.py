"""The devices app's background loops, run inside `shouwang serve` and `shouwang worker`; each is
safe to run in several processes at once."""

from shouwang.core.workers import WorkerLoop, register_worker


def heartbeats_flush_tick() -> int:
    from shouwang.devices.ingest.heartbeats import heartbeats_flush_once
    from shouwang.devices.ingest.stats import snapshot_publish

    rows = heartbeats_flush_once()
    snapshot_publish()
    return rows


def offline_sweep_tick() -> int:
    from shouwang.devices.services.maintenance import devices_offline_sweep

    return devices_offline_sweep()


def notices_sweep_tick() -> int:
    from shouwang.devices.services.incidents import incidents_case_retry
    from shouwang.devices.services.responses import alarm_notices_sweep

    return incidents_case_retry() + alarm_notices_sweep()


def mqtt_tick() -> int:
    from shouwang.devices.mqtt.bridge import mqtt_bridge_ensure

    mqtt_bridge_ensure()
    return 0


def devices_workers_register() -> None:
    # The flusher idles half a second: heartbeats reach the database at least once a second.
    register_worker(WorkerLoop("devices.heartbeats.flush", heartbeats_flush_tick, 0.5))
    register_worker(WorkerLoop("devices.offline.sweep", offline_sweep_tick, 1.0))
    register_worker(WorkerLoop("devices.alarm_notices.sweep", notices_sweep_tick, 1.0))
    register_worker(WorkerLoop("devices.mqtt", mqtt_tick, 5.0))
