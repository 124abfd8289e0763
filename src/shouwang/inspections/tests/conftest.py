"""Fixtures of the inspections tests: the shared test city with a rental house in town A whose
landlord is entered, and the seeded checklists and provisions."""

from dataclasses import dataclass
from importlib import import_module

import pytest
from django.apps import apps

from shouwang.core.models import User
from shouwang.inspections.seed import install
from shouwang.places.models import ContactRole, Premises, PremisesKind
from shouwang.places.services import alarm_contact_add, premises_create, premises_qr_issue
from shouwang.testing.city import City

# Inside grid 1 of town A's village (testing/city.py squares).
HOUSE_POINT = (29.05, 120.05)


@dataclass
class Site:
    city: City
    house: Premises
    shop_b: Premises

    def person(self, role: str, town: str = "a") -> User:
        return getattr(self.city, town).people[role]


def reference_data_ensure() -> None:
    """A transactional test's flush empties what migrations installed; put it back."""
    categories = apps.get_model("cases", "Category")
    if not categories.objects.exists():
        import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)
    install(apps)


@pytest.fixture
def site(city: City) -> Site:
    reference_data_ensure()
    house = premises_create(
        code="R-A-001",
        name="稠城幸福出租房",
        kind=PremisesKind.RENTAL_HOUSE,
        node=city.a.grids[0],
        address="稠城街道幸福路1号",
        lat=HOUSE_POINT[0],
        lng=HOUSE_POINT[1],
    )
    alarm_contact_add(premises=house, role=ContactRole.LANDLORD, person=city.a.people["landlord"])
    premises_qr_issue(premises=house)
    shop_b = premises_create(
        code="S-B-001",
        name="北苑小吃店",
        kind=PremisesKind.NINE_SMALL,
        node=city.b.grids[0],
        lat=29.05,
        lng=120.25,
    )
    return Site(city=city, house=house, shop_b=shop_b)
