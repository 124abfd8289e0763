"""The back office lists tenancies with masked tenants only and lets no one edit them."""

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.housing.models import Tenancy
from shouwang.housing.services.tenancies import tenancy_register
from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.django_db


def test_admin_sees_tenancies_masked_and_cannot_change_them(city: City, rental: Rental) -> None:
    tenancy_register(
        actor=rental.landlord,
        room=rental.rooms[0],
        name="卫十四",
        phone="13900001414",
        id_number=id_number(141),
        moved_in=timezone.localdate(),
    )
    client = Client()
    assert client.login(username=city.admin.username, password=PASSWORD)
    page = client.get("/admin/housing/tenancy/").content.decode()
    assert "卫*四" in page and id_number(141) not in page
    for name in ("accesscard", "doorcontroller", "doorevent", "listing", "premisesmanager"):
        assert client.get(f"/admin/housing/{name}/").status_code == 200
    tenancy = Tenancy.objects.get()
    assert (
        client.post(f"/admin/housing/tenancy/{tenancy.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Tenancy.objects.exists()
