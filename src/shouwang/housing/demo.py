"""The demo's rental housing: rental premises in 稠城街道's grids managed by the `landlord` demo
login, rooms of several sizes, tenants registered with cards (a few foreigners, one room over
the limit), a door controller each, and vacant rooms listed."""

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from shouwang.core.models import JurisdictionNode, NodeLevel, User
from shouwang.core.pii import make_id_number
from shouwang.housing.models import PremisesManager
from shouwang.housing.services.listings import listing_publish
from shouwang.housing.services.registry import door_controller_add, manager_add, rental_room_ensure
from shouwang.housing.services.tenancies import tenancy_register
from shouwang.places.models import Premises, PremisesKind, Room
from shouwang.places.services import premises_create

PREMISES = {"small": 6, "city": 24}
TOWN = "330782001000"
FOREIGN = [("KOR", "M"), ("IND", "Z"), ("YEM", "0"), ("RUS", "7")]


def seed_demo_housing(*, seed: int, scale: str) -> int:
    landlord = User.objects.filter(username="landlord").first()
    grids = list(
        JurisdictionNode.objects.filter(level=NodeLevel.GRID, path__contains=f"/{TOWN}/")[:12]
    )
    if landlord is None or not grids or PremisesManager.objects.filter(user=landlord).exists():
        return 0
    rng, fake = random.Random(seed), Faker("zh_CN")  # noqa: S311 (demo data)
    fake.seed_instance(seed)
    created = 0
    sequence = iter(range(1, 1000))
    for n in range(PREMISES.get(scale, 6)):
        premises = _premises(n, rng.choice(grids), rng)
        manager_add(premises=premises, user=landlord)
        door_controller_add(premises=premises, serial=f"DOOR-DEMO-{n + 1:03d}")
        for floor in (1, 2, 3):
            for unit in range(1, rng.randint(3, 5)):
                room = rental_room_ensure(
                    premises=premises,
                    number=f"{floor}{unit:02d}",
                    floor=floor,
                    area_m2=Decimal(rng.choice([9, 12, 15, 18, 24])),
                    beds=rng.choice([1, 2, 2]),
                )
                created += 1 + _fill(room, landlord, rng, fake, sequence)
    return created


def _premises(n: int, grid: JurisdictionNode, rng: random.Random) -> Premises:
    lat = grid.centre_lat
    lng = grid.centre_lng
    return premises_create(
        code=f"RH-DEMO-{n + 1:03d}",
        name=f"{grid.name.replace('网格', '')}出租屋{n + 1}号",
        kind=PremisesKind.RENTAL_HOUSE,
        node=grid,
        address=f"稠城街道工人北路{rng.randint(1, 800)}号",
        lat=lat if lng is not None else None,
        lng=lng if lat is not None else None,
    )


def _fill(room: Room, landlord: User, rng: random.Random, fake: Faker, seq: Iterator[int]) -> int:
    today = timezone.localdate()
    roll = rng.random()
    if roll < 0.25:
        listing_publish(
            actor=landlord,
            room=room,
            rent=rng.choice([600, 800, 950, 1200, 1500]),
            available_from=today + timedelta(days=rng.randint(0, 20)),
            rules="禁止室内电动车充电；禁止群租",
        )
        return 1
    people = 3 if roll > 0.97 else rng.choice([1, 1, 2])
    for _ in range(people):
        number = next(seq)
        moved_in = today - timedelta(days=rng.randint(0, 400))
        foreign = rng.random() < 0.08
        nationality, prefix = rng.choice(FOREIGN) if foreign else ("CHN", "")
        tenancy_register(
            actor=landlord,
            room=room,
            name=fake.name() if not foreign else fake.last_romanized_name().title(),
            phone=f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
            moved_in=moved_in,
            id_number="" if foreign else _id_number(rng, number),
            nationality=nationality,
            passport_number=f"{prefix}{rng.randint(1_000_000, 9_999_999)}" if foreign else "",
        )
    return people


def _id_number(rng: random.Random, sequence: int) -> str:
    birth = date(rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28))
    region = rng.choice(["330782", "410523", "511623", "522422", "340823"])
    return make_id_number(region, birth, sequence % 1000)
