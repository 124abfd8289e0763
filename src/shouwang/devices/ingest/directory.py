"""Which device a message is from, answered from process memory: at 1,700 heartbeats a second a
database lookup per message would cost more than the heartbeat itself. The whole registry is
loaded once (100,000 devices take well under a second) and again whenever the registry version
in the shared cache moves (services bump it on every registry change); a device not found is
looked up once and a miss remembered briefly, so a stranger flooding us costs one query a
minute, not one a message."""

import threading
import time
from dataclasses import dataclass

from django.db.models import QuerySet

from shouwang.core.versions import version_bump, version_get
from shouwang.devices.ingest.readings import DeviceKey
from shouwang.devices.models import Device

REGISTRY_VERSION_KEY = "devices:registry-version"
MISS_TTL_SECONDS = 60.0
MAX_MISSES = 10_000
VERSION_CHECK_SECONDS = 1.0


@dataclass(slots=True)
class DeviceEntry:
    id: int
    serial: str
    device_type: str
    interval_s: int
    premises_id: int
    secret: str | None = None  # decrypted on first use by the generic push


_FIELDS = (
    "id",
    "serial",
    "imei",
    "platform_device_id",
    "device_type",
    "heartbeat_interval_s",
    "premises_id",
)


class Directory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[tuple[str, str], DeviceEntry] = {}
        self._misses: dict[tuple[str, str], float] = {}
        self._version: int | None = None
        self._checked_at = 0.0

    def find(self, key: DeviceKey) -> DeviceEntry | None:
        self._refresh_if_stale()
        if key.serial:  # MQTT and our own pushes name the serial: one dictionary look-up
            entry = self._by_key.get(("serial", key.serial))
            if entry is not None:
                return entry
        names = [("serial", key.serial), ("imei", key.imei), ("pid", key.platform_id)]
        wanted = [(kind, value) for kind, value in names if value]
        for name in wanted:
            entry = self._by_key.get(name)
            if entry is not None:
                return entry
        return self._lookup(wanted)

    def warm(self) -> None:
        """Loads the registry now rather than on the first message."""
        self._refresh_if_stale()

    def forget(self) -> None:
        with self._lock:
            self._by_key, self._misses, self._version = {}, {}, None

    def _refresh_if_stale(self) -> None:
        now = time.monotonic()
        if self._version is not None and now - self._checked_at < VERSION_CHECK_SECONDS:
            return
        version = version_get(REGISTRY_VERSION_KEY)
        with self._lock:
            self._checked_at = now
            if version != self._version:
                self._by_key = self._load(Device.objects.all())
                self._misses, self._version = {}, version

    def _lookup(self, wanted: list[tuple[str, str]]) -> DeviceEntry | None:
        now = time.monotonic()
        recent = [now - self._misses.get(name, float("-inf")) for name in wanted]
        if all(age < MISS_TTL_SECONDS for age in recent):
            return None
        column = {"serial": "serial", "imei": "imei", "pid": "platform_device_id"}
        for kind, value in wanted:
            found = self._load(Device.objects.filter(**{column[kind]: value}))
            if found:
                with self._lock:
                    self._by_key.update(found)
                return found.get((kind, value)) or next(iter(found.values()))
        with self._lock:
            if len(self._misses) >= MAX_MISSES:
                self._misses.clear()
            self._misses.update(dict.fromkeys(wanted, now))
        return None

    @staticmethod
    def _load(devices: QuerySet[Device]) -> dict[tuple[str, str], DeviceEntry]:
        by_key: dict[tuple[str, str], DeviceEntry] = {}
        for id_, serial, imei, pid, kind, interval, premises_id in devices.values_list(*_FIELDS):
            entry = DeviceEntry(id_, serial, kind, interval, premises_id)
            by_key[("serial", serial)] = entry
            if imei:
                by_key[("imei", imei)] = entry
            if pid:
                by_key[("pid", pid)] = entry
        return by_key


directory = Directory()


def registry_changed() -> None:
    """Tells every process's directory to reload on its next lookup."""
    version_bump(REGISTRY_VERSION_KEY)
