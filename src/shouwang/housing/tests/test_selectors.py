"""Reads stay a fixed number of queries however many rooms and tenants there are."""

import pytest
from django.utils import timezone

from shouwang.housing import selectors
from shouwang.housing.services.tenancies import tenancy_register
from shouwang.housing.tests.conftest import Rental, id_number

pytestmark = pytest.mark.django_db


def test_a_premises_rooms_and_tenants_are_read_in_four_queries(
    rental: Rental, django_assert_num_queries: object
) -> None:
    for seq, room in ((121, 0), (123, 0), (125, 2)):
        tenancy_register(
            actor=rental.landlord,
            room=rental.rooms[room],
            name="褚十三",
            phone="13900001212",
            id_number=id_number(seq),
            moved_in=timezone.localdate(),
        )
    with django_assert_num_queries(4):  # type: ignore[operator]
        states = selectors.premises_rooms(premises=rental.premises)
        cards = [c.number for s in states for t in s.tenancies for c in t.active]  # type: ignore[attr-defined]
        names = [t.person.full_name_masked for s in states for t in s.tenancies]
    assert len(cards) == 3 and len(names) == 3
    assert [s.state for s in states] == ["occupied", "vacant", "occupied"]
