"""Registering a simulated fleet (`shouwang simulate devices`, bench/alarms.py): premises in the
demo city's grids, twenty detectors each (one per room), all marked `simulated`, each premises
given a landlord and a community fire officer from the people of its grid and village so that
an alarm reaches five real contacts. Bulk writes: 100,000 devices take seconds, not minutes.
Running it again reuses the fleet and hands out fresh secrets."""

import math
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import InvalidInput
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, User
from shouwang.devices.ingest.directory import registry_changed
from shouwang.devices.models import Device, DeviceType, Platform
from shouwang.devices.secrets_store import DEVICE_SECRET_AAD, seal
from shouwang.places.models import AlarmContact, ContactRole, Premises, PremisesKind, Room

PER_PREMISES = 20
BATCH = 2000


@dataclass(frozen=True)
class SimulatedDevice:
    serial: str
    secret: str
    premises_code: str


def _grids() -> list[JurisdictionNode]:
    grids = list(JurisdictionNode.objects.filter(level=NodeLevel.GRID).order_by("code"))
    if not grids:
        raise InvalidInput(_("没有网格：请先运行 shouwang seed-demo 建立演示城市。"))
    return grids


def _point(grid: JurisdictionNode, index: int) -> tuple[float | None, float | None]:
    if grid.centre_lat is None or grid.centre_lng is None:
        return None, None
    # A little spread around the grid's centre so the premises do not sit on one point.
    offset = ((index % 7) - 3) * 0.0004
    return grid.centre_lat + offset, grid.centre_lng - offset


def _premises(count: int, grids: list[JurisdictionNode]) -> list[Premises]:
    codes = [f"SIM-P{i:05d}" for i in range(count)]
    existing = {p.code: p for p in Premises.objects.filter(code__in=codes)}
    new = []
    for i, code in enumerate(codes):
        if code not in existing:
            grid = grids[i % len(grids)]
            lat, lng = _point(grid, i)
            new.append(
                Premises(
                    code=code,
                    name=f"模拟出租房{i:05d}",
                    kind=PremisesKind.RENTAL_HOUSE,
                    address=f"{grid.name}模拟路{i}号",
                    lat=lat,
                    lng=lng,
                    node=grid,
                )
            )
    Premises.objects.bulk_create(new, batch_size=BATCH)
    _contacts(new)
    found = {p.code: p for p in Premises.objects.filter(code__in=codes)}
    return [found[code] for code in codes]


def _contacts(premises: list[Premises]) -> None:
    """A landlord from the grid's people and a fire officer from the village's."""
    nodes = {p.node_id for p in premises} | {p.node.parent_id for p in premises}
    people = User.objects.filter(node_id__in=nodes, is_active=True).order_by("pk")
    first: dict[tuple[int | None, str], User] = {}
    for person in people:
        first.setdefault((person.node_id, person.role), person)
    rows = []
    for p in premises:
        landlord = first.get((p.node_id, Role.LANDLORD))
        officer = first.get((p.node.parent_id, Role.FIRST_RESPONDER)) or first.get(
            (p.node.parent_id, Role.INSPECTOR)
        )
        if landlord is not None:
            rows.append(AlarmContact(premises=p, role=ContactRole.LANDLORD, person=landlord))
        if officer is not None:
            rows.append(AlarmContact(premises=p, role=ContactRole.FIRE_OFFICER, person=officer))
    AlarmContact.objects.bulk_create(rows, batch_size=BATCH)


def _rooms(premises: list[Premises]) -> dict[tuple[int, str], Room]:
    wanted = [(p, f"{101 + r}") for p in premises for r in range(PER_PREMISES)]
    existing = {(r.premises_id, r.number) for r in Room.objects.filter(premises__in=premises)}
    Room.objects.bulk_create(
        [Room(premises=p, number=n, floor=1) for p, n in wanted if (p.pk, n) not in existing],
        batch_size=BATCH,
    )
    return {(r.premises_id, r.number): r for r in Room.objects.filter(premises__in=premises)}


@transaction.atomic
def simulated_fleet_register(
    *, count: int, heartbeat_s: int, platform: Platform = Platform.MQTT
) -> list[SimulatedDevice]:
    """`count` simulated smoke detectors, created or reused, each with a fresh secret."""
    if count < 1:
        raise InvalidInput(_("设备数量至少为 1。"))
    premises = _premises(math.ceil(count / PER_PREMISES), _grids())
    rooms = _rooms(premises)
    fleet = []
    serials = [f"SIM-{i:06d}" for i in range(count)]
    existing = {d.serial: d for d in Device.objects.filter(serial__in=serials)}
    new: list[Device] = []
    changed: list[Device] = []
    for i, serial in enumerate(serials):
        site = premises[i // PER_PREMISES]
        secret = secrets.token_urlsafe(18)
        fleet.append(SimulatedDevice(serial, secret, site.code))
        device = existing.get(serial) or Device(
            serial=serial,
            device_type=DeviceType.SMOKE_DETECTOR,
            premises=site,
            room=rooms[(site.pk, f"{101 + i % PER_PREMISES}")],
            vendor="模拟",
            simulated=True,
        )
        device.heartbeat_interval_s, device.platform = heartbeat_s, platform
        device.secret_cipher = seal(secret, aad=DEVICE_SECRET_AAD)
        (changed if device.pk else new).append(device)
    Device.objects.bulk_create(new, batch_size=BATCH)
    fields = ["heartbeat_interval_s", "platform", "secret_cipher"]
    Device.objects.bulk_update(changed, fields, batch_size=BATCH)
    transaction.on_commit(registry_changed)
    return fleet
