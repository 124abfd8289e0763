"""The registration contract: a landlord or grid worker registers a tenant and gets a card; a
bad ID number is 422, a person living elsewhere is 409 naming the room masked; moving out
revokes the card; everyone else is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.core.models import Role
from shouwang.housing.models import AccessCard, DoorController, Tenancy
from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db
URL = "/api/v1/housing/tenancies"


def body(rental: Rental, room: int = 0, seq: int = 11, **extra: object) -> dict[str, object]:
    return {
        "room": rental.rooms[room].pk,
        "name": "王小明",
        "id_number": id_number(seq),
        "phone": "13900001111",
        "moved_in": timezone.localdate().isoformat(),
        **extra,
    }


def test_landlord_registers_a_tenant_and_a_card_is_issued(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    response = api.post(URL, body(rental))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["card"] == "10000001"
    card = AccessCard.objects.get(number="10000001")
    assert card.tenancy_id == data["id"] and card.revoked_at is None
    controller = DoorController.objects.get(pk=rental.controller.pk)
    assert controller.list_version == 1 and controller.next_push_at is not None


def test_room_shows_current_tenants_masked(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    api.post(URL, body(rental))
    room = api.get(f"/api/v1/housing/rooms/{rental.rooms[0].pk}").json()
    assert room["state"] == "occupied"
    [tenant] = room["tenants"]
    assert tenant["name"] == "王*明"
    assert tenant["id_number"] == id_number(11)[:4] + "*" * 10 + id_number(11)[-4:]
    assert tenant["phone"] == "139****1111"
    assert tenant["card"] == "10000001"


def test_grid_worker_registers_in_their_jurisdiction(city: City, rental: Rental) -> None:
    api = ApiClient(city.a.people[Role.RESPONDER].username)
    assert api.post(URL, body(rental)).status_code == 201


def test_id_number_failing_its_check_digit_is_refused(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    bad = id_number(11)[:-1] + ("0" if id_number(11)[-1] != "0" else "1")
    response = api.post(URL, body(rental, id_number=bad))
    assert response.status_code == 422
    assert response.json()["error"]["extra"]["field"] == "id_number"
    assert not Tenancy.objects.exists()


def test_person_living_elsewhere_is_refused_naming_the_room_masked(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    assert api.post(URL, body(rental, room=0)).status_code == 201
    response = api.post(URL, body(rental, room=2))
    assert response.status_code == 409
    masked = response.json()["error"]["extra"]["room"]
    assert "*" in masked and masked != f"{rental.premises.name}101"
    assert Tenancy.objects.count() == 1


def test_landlord_of_another_premises_cannot_register(city: City, other_rental: Rental) -> None:
    api = ApiClient(city.a.people[Role.LANDLORD].username)
    assert api.post(URL, body(other_rental)).status_code == 404
    assert not Tenancy.objects.exists()


def test_grid_worker_of_another_town_cannot_register(city: City, rental: Rental) -> None:
    api = ApiClient(city.b.people[Role.RESPONDER].username)
    assert api.post(URL, body(rental)).status_code == 404


def test_volunteer_cannot_register(city: City, rental: Rental) -> None:
    api = ApiClient(city.a.people[Role.VOLUNTEER].username)
    assert api.post(URL, body(rental)).status_code == 404


def test_arrival_in_the_future_is_refused(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert api.post(URL, body(rental, moved_in=tomorrow)).status_code == 422


def test_registration_after_three_days_is_marked_late(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert api.post(URL, body(rental, moved_in=week_ago)).json()["registered_late"] is True


def test_foreigner_registers_with_passport(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    response = api.post(
        URL,
        body(rental, id_number="", nationality="IND", passport_number="z1234567"),
    )
    assert response.status_code == 201, response.content
    room = api.get(f"/api/v1/housing/rooms/{rental.rooms[0].pk}").json()
    assert room["tenants"][0]["nationality"] == "IND"
    assert "1234567" not in room["tenants"][0]["passport_number"]


def test_foreigner_without_passport_is_refused(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    response = api.post(URL, body(rental, id_number="", nationality="IND"))
    assert response.status_code == 422


def test_moving_out_revokes_the_card_and_frees_the_room(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    tenancy_id = api.post(URL, body(rental)).json()["id"]
    response = api.post(f"{URL}/{tenancy_id}/end", {"moved_out": timezone.localdate().isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["cards_revoked"] == 1
    assert AccessCard.objects.get(tenancy_id=tenancy_id).revoked_at is not None
    room = api.get(f"/api/v1/housing/rooms/{rental.rooms[0].pk}").json()
    assert room["state"] == "vacant" and room["tenants"] == []
    assert DoorController.objects.get(pk=rental.controller.pk).list_version == 2


def test_ending_twice_is_refused(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    tenancy_id = api.post(URL, body(rental)).json()["id"]
    today = {"moved_out": timezone.localdate().isoformat()}
    assert api.post(f"{URL}/{tenancy_id}/end", today).status_code == 200
    assert api.post(f"{URL}/{tenancy_id}/end", today).status_code == 409


def test_after_moving_out_the_person_registers_elsewhere_with_a_new_card(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    tenancy_id = api.post(URL, body(rental)).json()["id"]
    api.post(f"{URL}/{tenancy_id}/end", {"moved_out": timezone.localdate().isoformat()})
    again = api.post(URL, body(rental, room=2))
    assert again.status_code == 201
    assert again.json()["card"] == "10000002"
    assert AccessCard.objects.filter(revoked_at__isnull=True).count() == 1


def test_landlord_of_another_town_cannot_end_the_tenancy(city: City, rental: Rental) -> None:
    tenancy_id = ApiClient(rental.landlord.username).post(URL, body(rental)).json()["id"]
    outsider = ApiClient(city.b.people[Role.LANDLORD].username)
    today = {"moved_out": timezone.localdate().isoformat()}
    assert outsider.post(f"{URL}/{tenancy_id}/end", today).status_code == 404
    assert Tenancy.objects.get(pk=tenancy_id).moved_out is None


def test_room_of_another_town_is_not_found(city: City, other_rental: Rental) -> None:
    api = ApiClient(city.a.people[Role.LANDLORD].username)
    assert api.get(f"/api/v1/housing/rooms/{other_rental.rooms[0].pk}").status_code == 404


def test_a_card_number_in_use_is_refused(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    assert api.post(URL, body(rental, card="A1")).status_code == 201
    assert api.post(URL, body(rental, room=2, seq=13, card="A1")).status_code == 409


def test_landlord_revokes_a_lost_card_and_issues_a_new_one(city: City, rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    tenancy_id = api.post(URL, body(rental)).json()["id"]
    card = AccessCard.objects.get(tenancy_id=tenancy_id)
    outsider = ApiClient(city.b.people[Role.LANDLORD].username)
    assert outsider.post(f"/api/v1/housing/cards/{card.pk}/revoke").status_code == 404
    assert api.post(f"/api/v1/housing/cards/{card.pk}/revoke").json()["card"] is None
    assert api.post(f"/api/v1/housing/cards/{card.pk}/revoke").status_code == 409
    again = api.post(f"{URL}/{tenancy_id}/card")
    assert again.status_code == 201 and again.json()["card"] == "10000002"
    assert api.post(f"{URL}/{tenancy_id}/card").status_code == 409  # one active card a person
