"""The back office: device list and the spreadsheet import page."""

import io

import pytest

from shouwang.devices.models import Device
from shouwang.devices.tests.factories import Building
from shouwang.devices.tests.test_import import building_rows, xlsx
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def test_admin_lists_devices_and_links_the_import_page(city: City, house: Building, client) -> None:
    client.force_login(city.admin)
    page = client.get("/admin/devices/device/")
    assert page.status_code == 200
    assert "/admin/devices/device/import/" in page.content.decode()
    assert house.devices[0].serial in page.content.decode()


def test_admin_import_shows_row_errors_and_imports_nothing(city: City, client) -> None:
    client.force_login(city.admin)
    rows = building_rows(city.a.grids[0].code, 2)
    rows[1][1] = "不存在的类型"
    upload = io.BytesIO(xlsx(rows))
    upload.name = "bad.xlsx"
    page = client.post("/admin/devices/device/import/", {"file": upload})
    assert page.status_code == 200
    assert "设备类型无效" in page.content.decode()
    assert not Device.objects.exists()


def test_admin_import_of_a_good_file_redirects_to_the_list(city: City, client) -> None:
    client.force_login(city.admin)
    upload = io.BytesIO(xlsx(building_rows(city.a.grids[0].code, 2)))
    upload.name = "good.xlsx"
    response = client.post("/admin/devices/device/import/", {"file": upload})
    assert response.status_code == 302
    assert Device.objects.count() == 2


def test_admin_pages_of_the_other_models_open(city: City, house: Building, client) -> None:
    client.force_login(city.admin)
    for model in ("alarm", "incident", "maintenanceitem", "pushsubscription", "capalert"):
        assert client.get(f"/admin/devices/{model}/").status_code == 200
    assert client.get("/admin/places/premises/").status_code == 200
    assert client.get(f"/admin/places/premises/{house.premises.pk}/change/").status_code == 200
