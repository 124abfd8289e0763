"""Test data built through the real services: premises with rooms and the five alarm contacts,
devices with secrets, platform subscriptions."""

from dataclasses import dataclass, field

from shouwang.core.models import JurisdictionNode, Role, Unit, UnitKind, User
from shouwang.core.services.jurisdiction import unit_create
from shouwang.core.services.people import person_create
from shouwang.devices.models import Device, DeviceType, Platform
from shouwang.devices.services.registry import device_register
from shouwang.places.models import ContactRole, Premises, PremisesKind
from shouwang.places.services import alarm_contact_add, premises_create, room_ensure
from shouwang.testing.city import PASSWORD, City, Town

SECRET = "device-secret-0123456789"


@dataclass
class Building:
    premises: Premises
    landlord: User
    fire_officer: User
    grid_leader: User
    station: Unit
    command: Unit
    devices: list[Device] = field(default_factory=list)


def fire_units(town: Town) -> tuple[Unit, Unit]:
    """The village's micro fire station and the town's fire command, as the demo city has."""
    number = town.node.code[6:9]
    station = unit_create(
        code=f"MFS-{number}",
        name=f"{town.village.name}微型消防站",
        kind=UnitKind.MICRO_FIRE_STATION,
        node=town.village,
    )
    command = unit_create(
        code=f"FC-{number}",
        name=f"{town.node.name}消防指挥中心",
        kind=UnitKind.FIRE_COMMAND,
        node=town.node,
    )
    return station, command


def person(username: str, role: Role, node: JurisdictionNode, unit: Unit | None = None) -> User:
    return person_create(
        username=username, role=role, node=node, password=PASSWORD, full_name=username, unit=unit
    )


def building(town: Town, *, code: str = "P-001", detectors: int = 3) -> Building:
    """A rental house in the town's first grid with its five contacts entered and `detectors`
    smoke detectors, one per room."""
    grid = town.grids[0]
    premises = premises_create(
        code=code,
        name=f"{town.node.name}出租房{code}",
        kind=PremisesKind.RENTAL_HOUSE,
        node=grid,
        address=f"{town.node.name}幸福路{code[-1]}号",
        lat=29.05,
        lng=float(grid.boundary["coordinates"][0][0][0]) + 0.05,  # type: ignore[index]
    )
    existing = Unit.objects.filter(node=town.village, kind=UnitKind.MICRO_FIRE_STATION).first()
    station, command = (
        (existing, Unit.objects.get(node=town.node, kind=UnitKind.FIRE_COMMAND))
        if existing
        else fire_units(town)
    )
    suffix = f"{town.node.code[6:9]}_{code}"
    found = Building(
        premises=premises,
        landlord=person(f"landlord_{suffix}", Role.LANDLORD, grid),
        fire_officer=person(f"officer_{suffix}", Role.INSPECTOR, town.village),
        grid_leader=person(f"gridleader_{suffix}", Role.RESPONDER, grid),
        station=station,
        command=command,
    )
    alarm_contact_add(premises=premises, role=ContactRole.LANDLORD, person=found.landlord)
    alarm_contact_add(premises=premises, role=ContactRole.FIRE_OFFICER, person=found.fire_officer)
    alarm_contact_add(premises=premises, role=ContactRole.GRID_LEADER, person=found.grid_leader)
    for index in range(detectors):
        found.devices.append(detector(premises, f"{code}-SD{index + 1:02d}", room=f"{101 + index}"))
    return found


def detector(
    premises: Premises,
    serial: str,
    *,
    room: str = "",
    imei: str | None = None,
    platform: Platform = Platform.GENERIC,
    platform_device_id: str = "",
    device_type: DeviceType = DeviceType.SMOKE_DETECTOR,
    interval: int = 60,
) -> Device:
    return device_register(
        serial=serial,
        device_type=device_type,
        premises=premises,
        room=room_ensure(premises=premises, number=room) if room else None,
        imei=imei,
        platform=platform,
        platform_device_id=platform_device_id,
        vendor="海曼",
        heartbeat_interval_s=interval,
        secret=SECRET,
    )


@dataclass
class ScopingObjects:
    """One of everything the devices and places APIs show, in each town."""

    premises: dict[str, str]  # town ("a", "b") -> premises code
    device: dict[str, str]  # town -> device serial
    alarm: dict[str, int]  # town -> alarm id
    cap: dict[str, str]  # town -> identifier of the alarm's restricted CAP alert


def scoping_objects(city: City) -> ScopingObjects:
    """Built once per city (later calls return the same objects), for the project's scoping
    tests: `scoping_objects(c).device["b"]` is a town-B device serial, and so on."""
    from django.utils import timezone

    from shouwang.devices.models import AlarmKind, CapAlert
    from shouwang.devices.services.alarms import alarm_raise

    found = getattr(city, "_devices_scoping", None)
    if isinstance(found, ScopingObjects):
        return found
    found = ScopingObjects({}, {}, {}, {})
    for name, town in (("a", city.a), ("b", city.b)):
        house = building(town, code=f"SCOPE-{name.upper()}", detectors=1)
        raised = alarm_raise(
            device_id=house.devices[0].pk,
            kind=AlarmKind.SMOKE,
            level=2,
            source=Platform.GENERIC,
            message_id="scoping",
            occurred_at=timezone.now(),
        )
        found.premises[name] = house.premises.code
        found.device[name] = house.devices[0].serial
        found.alarm[name] = raised.alarm.pk
        found.cap[name] = CapAlert.objects.get(incident_id=raised.alarm.incident_id).identifier
    city._devices_scoping = found  # type: ignore[attr-defined]
    return found
