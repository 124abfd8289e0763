"""One message from one device, whatever brought it, and what it means. The vendor field names
are those real NB-IoT detectors send: smoke `Alarm_Status`, `AlarmLevel`, `Battery_Level`, `RSRP`,
`SNR`; gas `gas_sensor_state` (0 normal, 1 low, 2 high), `valve_state`, `battery_value`. Low
battery and weak signal are maintenance items, never alarms."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shouwang.devices.models import AlarmKind, DeviceType, MaintenanceKind, Platform

LOW_BATTERY_PERCENT = 20
# Hysteresis: an item opened at 19 % is closed only at 25 %, so a battery hovering at the
# threshold does not open and close an item with every report.
BATTERY_RESTORED_PERCENT = 25
WEAK_RSRP_DBM = -115  # below this NB-IoT coverage is poor (3GPP coverage class 2 territory)
RSRP_RESTORED_DBM = -110
# Alarm_Status values that are not a fire: 2 the alarm was silenced on the device, 3 a self-test.
SMOKE_NOT_ALARM = frozenset({0, 2, 3})
# An alarm hint naming no kind: the device type's own alarm (a smoke detector's is smoke).
DEFAULT_ALARM = "default"


@dataclass(frozen=True)
class DeviceKey:
    """How a message names its device: by our serial, its IMEI, or the platform's id."""

    serial: str = ""
    imei: str = ""
    platform_id: str = ""

    def __bool__(self) -> bool:
        return bool(self.serial or self.imei or self.platform_id)


@dataclass
class Reading:
    device: DeviceKey
    source: Platform
    message_id: str  # unique per device and message; the alarm's de-duplication key
    at: datetime  # when the device says it happened
    values: dict[str, Any] = field(default_factory=dict)
    # Hints from the envelope: an explicit alarm ("smoke", "gas"...), a fault, or an event
    # class such as CTWing's eventType 2 (warning).
    alarm_hint: str = ""
    level_hint: int = 0
    fault: bool = False
    presence_only: bool = False  # an online/offline notice from the platform, no data
    # For a message that names no id of its own (MQTT), how to derive one from the message,
    # instead of `message_id`: called only when an alarm needs a de-duplication key, so a
    # heartbeat never pays for it.
    derive_id: Callable[[], str] | None = None

    def dedup_id(self) -> str:
        """The alarm's de-duplication key: the message's own id, else one derived from it."""
        if not self.message_id and self.derive_id is not None:
            self.message_id = self.derive_id()
        return self.message_id


@dataclass(frozen=True)
class AlarmSignal:
    kind: AlarmKind
    level: int


@dataclass
class Meaning:
    alarm: AlarmSignal | None = None
    fault: bool = False
    battery: int | None = None
    rsrp: int | None = None
    snr: int | None = None
    opens: set[MaintenanceKind] = field(default_factory=set)
    closes: set[MaintenanceKind] = field(default_factory=set)


def _int(value: Any) -> int | None:
    if type(value) is int:  # what nearly every device sends: the one check it needs
        return value
    if value is None:  # a field this device does not send
        return None
    if isinstance(value, dict):  # OneNET thing model: {"value": 1, "time": ...}
        value = value.get("value")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _alarm_from_values(values: dict[str, Any], device_type: str) -> AlarmSignal | None:
    status = _int(values.get("Alarm_Status"))
    if status is not None and status not in SMOKE_NOT_ALARM:
        level = _int(values.get("AlarmLevel")) or 1
        kind = AlarmKind.GAS if device_type == DeviceType.GAS_ALARM else AlarmKind.SMOKE
        return AlarmSignal(kind, max(1, min(level, 2)))
    gas = _int(values.get("gas_sensor_state"))
    if gas in (1, 2):
        return AlarmSignal(AlarmKind.GAS, gas)
    return None


def _hinted_alarm(reading: Reading, device_type: str) -> AlarmSignal | None:
    if not reading.alarm_hint:
        return None
    try:
        kind = AlarmKind(reading.alarm_hint)
    except ValueError:
        kind = AlarmKind.GAS if device_type == DeviceType.GAS_ALARM else _default_kind(device_type)
    level = reading.level_hint or _int(reading.values.get("AlarmLevel")) or 1
    return AlarmSignal(kind, max(1, min(level, 2)))


def _default_kind(device_type: str) -> AlarmKind:
    return {
        DeviceType.SMOKE_DETECTOR: AlarmKind.SMOKE,
        DeviceType.GAS_ALARM: AlarmKind.GAS,
        DeviceType.WATER_PRESSURE: AlarmKind.WATER_PRESSURE,
        DeviceType.ACCESS_CONTROLLER: AlarmKind.DOOR,
        DeviceType.BODY_TERMINAL: AlarmKind.SOS,
    }.get(DeviceType(device_type), AlarmKind.OTHER)


def _battery(values: dict[str, Any]) -> int | None:
    for name in ("Battery_Level", "battery_value", "battery"):
        level = _int(values.get(name))
        if level is not None:
            return max(0, min(level, 100))
    return None


def _maintenance(meaning: Meaning) -> None:
    if meaning.battery is not None:
        if meaning.battery < LOW_BATTERY_PERCENT:
            meaning.opens.add(MaintenanceKind.LOW_BATTERY)
        elif meaning.battery >= BATTERY_RESTORED_PERCENT:
            meaning.closes.add(MaintenanceKind.LOW_BATTERY)
    if meaning.rsrp is not None:
        if meaning.rsrp < WEAK_RSRP_DBM:
            meaning.opens.add(MaintenanceKind.WEAK_SIGNAL)
        elif meaning.rsrp >= RSRP_RESTORED_DBM:
            meaning.closes.add(MaintenanceKind.WEAK_SIGNAL)
    if meaning.fault:
        meaning.opens.add(MaintenanceKind.FAULT)


def interpret(reading: Reading, device_type: str) -> Meaning:
    """What a reading means for a device of `device_type`. An alarm is raised when the envelope
    says so or when the values say so; anything unknown is telemetry, never dropped silently
    (the reading still proves the device alive)."""
    values = reading.values
    meaning = Meaning(
        alarm=_hinted_alarm(reading, device_type) or _alarm_from_values(values, device_type),
        fault=reading.fault,
        battery=_battery(values),
        rsrp=_int(values.get("RSRP")),
        snr=_int(values.get("SNR")),
    )
    _maintenance(meaning)
    return meaning
