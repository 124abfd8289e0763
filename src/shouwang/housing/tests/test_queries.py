"""Police and grid staff ask who lives where; each query is audited. A landlord or volunteer
may not ask; a town's staff see only their town."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.core.models import AuditAction, AuditEntry, Role
from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db
LOOKUP = "/api/v1/housing/people/lookup"


def live(rental: Rental, room: int, seq: int, days_ago: int = 0, **extra: object) -> int:
    api = ApiClient(rental.landlord.username)
    response = api.post(
        "/api/v1/housing/tenancies",
        {
            "room": rental.rooms[room].pk,
            "name": "孙八",
            "id_number": id_number(seq),
            "phone": "13900005555",
            "moved_in": (timezone.localdate() - timedelta(days=days_ago)).isoformat(),
            **extra,
        },
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def move_out(rental: Rental, tenancy: int) -> None:
    api = ApiClient(rental.landlord.username)
    today = timezone.localdate().isoformat()
    response = api.post(f"/api/v1/housing/tenancies/{tenancy}/end", {"moved_out": today})
    assert response.status_code == 200


def test_police_find_where_a_person_lives_and_lived(city: City, rental: Rental) -> None:
    before = live(rental, 0, 61, days_ago=30)
    move_out(rental, before)
    now = live(rental, 2, 61)
    police = ApiClient(city.a.people[Role.DISPATCHER].username)
    records = police.post(LOOKUP, {"id_number": id_number(61)}).json()
    assert [r["tenancy"] for r in records] == [now, before]
    assert records[0]["moved_out"] is None and records[1]["moved_out"] is not None
    assert id_number(61) not in str(records)
    entry = AuditEntry.objects.get(action=AuditAction.HOUSING_LOOKUP)
    assert entry.actor_id == city.a.people[Role.DISPATCHER].pk
    assert id_number(61) not in str(entry.detail)


def test_lookup_with_an_invalid_id_number_is_refused(city: City) -> None:
    police = ApiClient(city.a.people[Role.DISPATCHER].username)
    assert police.post(LOOKUP, {"id_number": "123"}).status_code == 422


def test_landlord_and_volunteer_may_not_look_people_up(city: City, rental: Rental) -> None:
    live(rental, 0, 63)
    for role in (Role.LANDLORD, Role.VOLUNTEER):
        api = ApiClient(city.a.people[role].username)
        assert api.post(LOOKUP, {"id_number": id_number(63)}).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.HOUSING_LOOKUP).exists()


def test_other_towns_staff_find_nothing(city: City, rental: Rental) -> None:
    live(rental, 0, 65)
    other = ApiClient(city.b.people[Role.DISPATCHER].username)
    assert other.post(LOOKUP, {"id_number": id_number(65)}).json() == []


def test_grid_worker_sees_who_lived_in_a_room(city: City, rental: Rental) -> None:
    first = live(rental, 0, 67, days_ago=60)
    move_out(rental, first)
    second = live(rental, 0, 69)
    grid = ApiClient(city.a.people[Role.RESPONDER].username)
    response = grid.get(f"/api/v1/housing/rooms/{rental.rooms[0].pk}/residents")
    assert [r["tenancy"] for r in response.json()] == [second, first]
    assert AuditEntry.objects.filter(action=AuditAction.HOUSING_LOOKUP).count() == 1
    other = ApiClient(city.b.people[Role.RESPONDER].username)
    assert other.get(f"/api/v1/housing/rooms/{rental.rooms[0].pk}/residents").status_code == 404


def test_floating_population_by_town_village_and_nationality(
    city: City, rental: Rental, other_rental: Rental
) -> None:
    live(rental, 0, 71)
    live(rental, 2, 0, id_number="", nationality="KOR", passport_number="M1234567")
    live(other_rental, 0, 73)
    leader = ApiClient(city.admin.username)
    towns = {c["key"]: c["people"] for c in leader.get("/api/v1/housing/population").json()}
    assert towns == {city.a.node.code: 2, city.b.node.code: 1}
    villages = leader.get("/api/v1/housing/population", by="village").json()
    assert {c["key"]: c["people"] for c in villages} == {
        city.a.village.code: 2,
        city.b.village.code: 1,
    }
    nations = leader.get("/api/v1/housing/population", by="nationality").json()
    assert {c["key"]: c["people"] for c in nations} == {"CHN": 2, "KOR": 1}
    town_a = ApiClient(city.a.people[Role.LEADER].username)
    assert {c["key"] for c in town_a.get("/api/v1/housing/population").json()} == {city.a.node.code}
    assert AuditEntry.objects.filter(action=AuditAction.HOUSING_LOOKUP).count() == 4


def test_moving_out_leaves_the_count_and_a_rebuild_agrees(city: City, rental: Rental) -> None:
    from shouwang.housing.models import PopulationTally
    from shouwang.housing.services.tallies import population_tallies_rebuild

    stays = live(rental, 0, 75)
    leaves = live(rental, 2, 77)
    move_out(rental, leaves)
    leader = ApiClient(city.admin.username)
    towns = leader.get("/api/v1/housing/population").json()
    assert [(c["key"], c["people"]) for c in towns] == [(city.a.node.code, 1)]
    before = list(PopulationTally.objects.values_list("node_id", "nationality", "people"))
    population_tallies_rebuild()
    after = list(PopulationTally.objects.values_list("node_id", "nationality", "people"))
    assert before == after == [(rental.premises.node_id, "CHN", 1)]
    assert stays
