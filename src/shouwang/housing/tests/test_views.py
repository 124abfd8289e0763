"""The landlord's phone pages and the public vacancy page, through the Django test client."""

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.core.models import Role
from shouwang.housing.models import AccessCard, Tenancy
from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_landlord_registers_and_ends_a_tenancy_on_the_pages(rental: Rental) -> None:
    client = signed_in(rental.landlord.username)
    home = client.get("/m/housing/")
    assert rental.premises.name in home.content.decode()
    room = rental.rooms[0]
    form = {
        "name": "冯十二",
        "nationality": "CHN",
        "id_number": id_number(101),
        "phone": "13900009999",
        "moved_in": timezone.localdate().isoformat(),
    }
    response = client.post(f"/m/housing/rooms/{room.pk}/register/", form, follow=True)
    page = response.content.decode()
    assert "10000001" in page and "冯*二" in page
    assert id_number(101) not in page and "13900009999" not in page
    tenancy = Tenancy.objects.get()
    client.post(
        f"/m/housing/tenancies/{tenancy.pk}/end/",
        {"moved_out": timezone.localdate().isoformat()},
    )
    assert AccessCard.objects.get().revoked_at is not None


def test_a_bad_id_number_is_shown_on_the_form(rental: Rental) -> None:
    client = signed_in(rental.landlord.username)
    form = {
        "name": "冯十二",
        "nationality": "CHN",
        "id_number": id_number(101)[:-1] + ("0" if id_number(101)[-1] != "0" else "1"),
        "phone": "13900009999",
        "moved_in": timezone.localdate().isoformat(),
    }
    response = client.post(f"/m/housing/rooms/{rental.rooms[0].pk}/register/", form)
    assert response.status_code == 200
    assert "身份证号校验码不正确" in response.content.decode()
    assert not Tenancy.objects.exists()


def test_another_landlord_gets_not_found(city: City, rental: Rental) -> None:
    client = signed_in(city.b.people[Role.LANDLORD].username)
    assert client.get(f"/m/housing/premises/{rental.premises.pk}/").status_code == 404
    assert client.get(f"/m/housing/rooms/{rental.rooms[0].pk}/register/").status_code == 404


def test_public_vacancy_page_needs_no_login(rental: Rental) -> None:
    client = signed_in(rental.landlord.username)
    client.post(
        f"/m/housing/rooms/{rental.rooms[2].pk}/publish/",
        {"rent": 880, "available_from": timezone.localdate().isoformat(), "rules": "禁止群租"},
    )
    page = Client().get("/housing/vacancies/", {"max_rent": 1000}).content.decode()
    assert "¥880" in page and "禁止群租" in page
    assert "13800" not in page
    assert "¥880" not in Client().get("/housing/vacancies/", {"max_rent": 500}).content.decode()
