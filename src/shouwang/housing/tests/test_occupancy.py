"""Rental fire safety: more than two people in a room, or under 5 m² a person, is accepted
(people must be registered where they live) but flagged and becomes one hazard case."""

import pytest
from django.utils import timezone

from shouwang.cases.feeders import Case, CaseKind
from shouwang.housing.models import Tenancy
from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def register(api: ApiClient, rental: Rental, room: int, seq: int) -> dict[str, object]:
    response = api.post(
        "/api/v1/housing/tenancies",
        {
            "room": rental.rooms[room].pk,
            "name": "李四",
            "id_number": id_number(seq),
            "phone": "13900002222",
            "moved_in": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_two_people_in_a_large_room_are_not_flagged(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    register(api, rental, 0, 21)
    assert register(api, rental, 0, 23)["over_occupancy"] is False
    assert not Case.objects.exists()


def test_third_person_in_a_room_is_flagged_and_opens_one_hazard_case(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    for seq in (21, 23):
        register(api, rental, 0, seq)
    third = register(api, rental, 0, 25)
    assert third["over_occupancy"] is True
    case = Case.objects.get()
    assert case.kind == CaseKind.HAZARD and case.category.code == "rental_fire_hazard"
    assert case.node_id == rental.premises.node_id
    # A fourth person adds to the same open case, not a second one.
    assert register(api, rental, 0, 27)["over_occupancy"] is True
    assert Case.objects.count() == 1
    assert Tenancy.objects.filter(hazard_case=case).count() == 2


def test_two_people_in_eight_square_metres_are_flagged(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    assert register(api, rental, 1, 31)["over_occupancy"] is False
    assert register(api, rental, 1, 33)["over_occupancy"] is True
    room = api.get(f"/api/v1/housing/rooms/{rental.rooms[1].pk}").json()
    assert room["state"] == "over_occupied"
