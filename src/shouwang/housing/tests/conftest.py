"""Fixtures of the housing tests: a rental house in town A's first grid, its landlord, rooms of
known sizes and a door controller."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from shouwang.core.models import Role, User
from shouwang.core.pii import make_id_number
from shouwang.housing.models import DoorController
from shouwang.housing.services.registry import door_controller_add, manager_add, rental_room_ensure
from shouwang.places.models import Premises, PremisesKind, Room
from shouwang.places.services import premises_create
from shouwang.testing.city import City, Town


def id_number(sequence: int) -> str:
    """A valid ID number (GB 11643 check digit) from Yiwu (330782)."""
    return make_id_number("330782", date(1990, 1, 1), sequence)


@dataclass
class Rental:
    premises: Premises
    landlord: User
    rooms: list[Room]
    controller: DoorController


def rental_house(town: Town, code: str, *, serial: str) -> Rental:
    premises = premises_create(
        code=code,
        name=f"{town.node.name}出租屋{code[-2:]}",
        kind=PremisesKind.RENTAL_HOUSE,
        node=town.grids[0],
        address=f"{town.node.name}幸福路{code[-2:]}号",
        lat=29.1,
        lng=town.grids[0].centre_lng or 120.05,
    )
    landlord = town.people[Role.LANDLORD]
    manager_add(premises=premises, user=landlord)
    rooms = [
        rental_room_ensure(premises=premises, number="101", floor=1, area_m2=Decimal(20), beds=2),
        rental_room_ensure(premises=premises, number="102", floor=1, area_m2=Decimal(8), beds=2),
        rental_room_ensure(premises=premises, number="201", floor=2, area_m2=Decimal(15), beds=1),
    ]
    controller = door_controller_add(premises=premises, serial=f"DOOR-{code}")
    return Rental(premises=premises, landlord=landlord, rooms=rooms, controller=controller)


@pytest.fixture
def rental(city: City) -> Rental:
    return rental_house(city.a, "RH-A-01", serial="DOOR-A-01")


@pytest.fixture
def other_rental(city: City) -> Rental:
    """A rental house in town B, with town B's landlord."""
    return rental_house(city.b, "RH-B-01", serial="DOOR-B-01")
