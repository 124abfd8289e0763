"""Importing a building's detectors from a spreadsheet: every bad row reported with its row and
column in Chinese and English, and nothing written unless every row is good."""

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook

from shouwang.core.models import AuditEntry
from shouwang.devices.models import Device
from shouwang.places.models import Premises, Room
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db

URL = "/api/v1/devices/import"
HEADER = [
    "序列号",
    "设备类型",
    "场所编码",
    "场所名称",
    "场所类型",
    "辖区代码",
    "地址",
    "房间号",
    "楼层",
    "IMEI",
    "心跳间隔（秒）",
]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(username: str, name: str, content: bytes) -> Any:
    token = ApiClient(username).headers
    file = io.BytesIO(content)
    file.name = name
    return Client(headers=token).post(URL, {"file": file})


def building_rows(grid_code: str, count: int = 4) -> list[list[Any]]:
    return [
        [
            "HM-0001" + str(i),
            "烟感报警器",
            "RH-001",
            "幸福路8号出租房",
            "出租房",
            grid_code,
            "稠城街道幸福路8号",
            f"{101 + i}",
            1,
            f"86833403123456{i}",
            3600,
        ]
        for i in range(count)
    ]


def test_building_of_detectors_imports_from_excel_with_its_premises_and_rooms(city: City) -> None:
    response = upload(
        city.a.people["dispatcher"].username, "楼栋.xlsx", xlsx(building_rows(city.a.grids[0].code))
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"rows": 4, "devices_created": 4, "premises_created": 1}
    premises = Premises.objects.get(code="RH-001")
    assert premises.node == city.a.grids[0]
    assert Room.objects.filter(premises=premises).count() == 4
    device = Device.objects.get(serial="HM-00010")
    assert (device.device_type, device.imei, device.heartbeat_interval_s, device.room.number) == (
        "smoke_detector",
        "868334031234560",
        3600,
        "101",
    )
    assert AuditEntry.objects.filter(action="data_imported").exists()


def test_gbk_csv_from_a_chinese_excel_imports(city: City) -> None:
    text = "序列号,设备类型,场所编码,场所名称,辖区代码\nGS-1,燃气报警器,SHOP-1,小吃店,{}\n"
    content = text.format(city.a.grids[1].code).encode("gb18030")
    response = upload(city.a.people["dispatcher"].username, "devices.csv", content)
    assert response.status_code == 200, response.content
    assert Device.objects.get(serial="GS-1").device_type == "gas_alarm"


def test_bad_rows_are_all_reported_and_nothing_is_imported(city: City) -> None:
    rows = building_rows(city.a.grids[0].code)
    rows[1][1] = "烟雾探头"  # not a device type
    rows[2][0] = rows[0][0]  # serial repeated
    rows[3][9] = "12345"  # IMEI too short
    response = upload(city.a.people["dispatcher"].username, "bad.xlsx", xlsx(rows))
    assert response.status_code == 422
    errors = response.json()["error"]["extra"]["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "设备类型"),
        (4, "序列号"),
        (5, "IMEI"),
    ]
    assert errors[1]["message_zh"] == "与第 2 行重复。"
    assert errors[1]["message_en"] == "Same as row 2."
    assert not Device.objects.exists()
    assert not Premises.objects.exists()


def test_serial_already_registered_is_reported(city: City) -> None:
    upload(
        city.a.people["dispatcher"].username, "a.xlsx", xlsx(building_rows(city.a.grids[0].code, 1))
    )
    again = upload(
        city.a.people["dispatcher"].username, "a.xlsx", xlsx(building_rows(city.a.grids[0].code, 1))
    )
    assert again.status_code == 422
    assert {e["column"] for e in again.json()["error"]["extra"]["errors"]} == {"序列号", "IMEI"}
    assert Device.objects.count() == 1


def test_premises_of_another_town_cannot_be_named(city: City) -> None:
    rows = building_rows(city.b.grids[0].code, 1)
    response = upload(city.a.people["dispatcher"].username, "b.xlsx", xlsx(rows))
    assert response.status_code == 422
    assert response.json()["error"]["extra"]["errors"][0]["column"] == "辖区代码"
    assert not Premises.objects.exists()


def test_file_without_the_required_columns_is_refused(city: City) -> None:
    response = upload(
        city.a.people["dispatcher"].username, "x.xlsx", xlsx([["a"]], header=["名称"])
    )
    assert response.status_code == 422
    assert response.json()["error"]["extra"]["missing_columns"] == [
        "序列号",
        "设备类型",
        "场所编码",
    ]


def test_volunteer_may_not_import(city: City) -> None:
    rows = building_rows(city.a.grids[0].code, 1)
    response = upload(city.a.people["volunteer"].username, "v.xlsx", xlsx(rows))
    assert response.status_code == 403
    assert not Device.objects.exists()
