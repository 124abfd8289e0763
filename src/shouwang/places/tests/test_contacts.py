"""The five alarm contacts of a premises: those entered, by order, skipping the inactive; and
the fallbacks up the jurisdiction tree when a role has nobody."""

import pytest

from shouwang.core.models import Role, UnitKind
from shouwang.core.services.jurisdiction import unit_create
from shouwang.devices.tests.factories import building, fire_units, person
from shouwang.places.models import ContactRole, PremisesKind
from shouwang.places.selectors import premises_alarm_contacts
from shouwang.places.services import alarm_contact_add, premises_create
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def by_role(plan):  # type: ignore[no-untyped-def]
    return {c.role: c for c in plan.contacts}


def test_premises_with_all_five_entered_resolves_to_them(city: City) -> None:
    house = building(city.a, detectors=0)
    contacts = by_role(premises_alarm_contacts(premises=house.premises))
    assert contacts[ContactRole.LANDLORD].person == house.landlord
    assert contacts[ContactRole.GRID_LEADER].person == house.grid_leader
    assert contacts[ContactRole.FIRE_OFFICER].person == house.fire_officer
    assert contacts[ContactRole.MICRO_FIRE_STATION].unit == house.station
    assert contacts[ContactRole.FIRE_COMMAND].unit == house.command


def test_landlord_without_a_person_falls_back_to_the_property_unit(city: City) -> None:
    house = building(city.a, detectors=0)
    house.landlord.is_active = False
    house.landlord.save(update_fields=["is_active"])
    property_unit = unit_create(
        code="PROP-1", name="幸福物业", kind=UnitKind.PROPERTY_SECURITY, node=city.a.village
    )
    alarm_contact_add(
        premises=house.premises, role=ContactRole.LANDLORD, unit=property_unit, order=2
    )
    landlord = by_role(premises_alarm_contacts(premises=house.premises))[ContactRole.LANDLORD]
    assert (landlord.person, landlord.unit, landlord.fallback) == (None, property_unit, False)


def test_bare_premises_falls_back_to_grid_responder_village_station_and_town_command(
    city: City,
) -> None:
    station, command = fire_units(city.a)
    grid_responder = person("grid_resp", Role.RESPONDER, city.a.grids[0])
    bare = premises_create(
        code="BARE-1", name="无联系人商铺", kind=PremisesKind.SHOP, node=city.a.grids[0]
    )
    plan = premises_alarm_contacts(premises=bare)
    contacts = by_role(plan)
    assert contacts[ContactRole.GRID_LEADER].person == grid_responder
    assert contacts[ContactRole.MICRO_FIRE_STATION].unit == station
    assert contacts[ContactRole.FIRE_COMMAND].unit == command
    assert all(c.fallback for c in plan.contacts)
    assert set(plan.missing) == {ContactRole.LANDLORD, ContactRole.FIRE_OFFICER}


def test_contact_order_decides_between_two_entered_for_one_role(city: City) -> None:
    house = building(city.a, detectors=0)
    deputy = person("deputy_landlord", Role.LANDLORD, city.a.grids[0])
    alarm_contact_add(premises=house.premises, role=ContactRole.LANDLORD, person=deputy, order=0)
    landlord = by_role(premises_alarm_contacts(premises=house.premises))[ContactRole.LANDLORD]
    assert landlord.person == deputy


def test_premises_placed_by_coordinates_lands_in_its_grid(city: City) -> None:
    shop = premises_create(
        code="SHOP-9", name="便利店", kind=PremisesKind.SHOP, lat=29.1, lng=120.15
    )
    assert shop.node == city.a.grids[1]


def test_resolving_contacts_takes_a_fixed_number_of_queries(
    city: City, django_assert_max_num_queries
) -> None:
    house = building(city.a, detectors=0)
    with django_assert_max_num_queries(4):
        premises_alarm_contacts(premises=house.premises)
