"""Housing's background loops: registration reminders (a minute apart is plenty for a rule
counted in days) and the door controllers' MQTT link (card lists out, acks and door events in)."""

from shouwang.core.workers import WorkerLoop, register_worker


def _reminders_tick() -> int:
    from shouwang.housing.services.reminders import registration_reminders_sweep

    return registration_reminders_sweep()


def _doors_tick() -> int:
    from shouwang.housing.doors import doors_tick

    return doors_tick()


def housing_workers_register() -> None:
    register_worker(WorkerLoop("housing.registration_reminders", _reminders_tick, 60.0))
    register_worker(WorkerLoop("housing.door_controllers", _doors_tick, 1.0))
