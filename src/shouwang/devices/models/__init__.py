"""The devices app's data: the registry (devices and the platform subscriptions that push for
them), what devices report (alarms, maintenance items), what is open at a premises because of
them (incidents, with the five contacts' acknowledgements) and the CAP alerts published."""

from shouwang.devices.models.cap import (
    CapAlert,
    CapCategory,
    CapCertainty,
    CapMsgType,
    CapScope,
    CapSeverity,
    CapStatus,
    CapUrgency,
)
from shouwang.devices.models.events import (
    Alarm,
    AlarmKind,
    MaintenanceItem,
    MaintenanceKind,
)
from shouwang.devices.models.incidents import ContactNotice, Incident, IncidentKind
from shouwang.devices.models.registry import (
    Device,
    DeviceState,
    DeviceType,
    Platform,
    PushSubscription,
)

__all__ = [
    "Alarm",
    "AlarmKind",
    "CapAlert",
    "CapCategory",
    "CapCertainty",
    "CapMsgType",
    "CapScope",
    "CapSeverity",
    "CapStatus",
    "CapUrgency",
    "ContactNotice",
    "Device",
    "DeviceState",
    "DeviceType",
    "Incident",
    "IncidentKind",
    "MaintenanceItem",
    "MaintenanceKind",
    "Platform",
    "PushSubscription",
]
