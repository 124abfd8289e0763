"""Importing premises and rooms from Excel: good rows go in, bad rows are reported by number,
and the same file twice changes nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from shouwang.core.models import Role
from shouwang.housing.models import PremisesManager, RoomSpec
from shouwang.places.models import Premises, Room
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db
HEADER = ["场所编码", "场所名称", "地址", "辖区代码", "房东账号", "房间号", "楼层", "面积", "床位"]


def workbook(path: Path, city: City) -> Path:
    grid = city.a.grids[0].code
    landlord = city.a.people[Role.LANDLORD].username
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["RH-X-1", "幸福楼", "幸福路1号", grid, landlord, "101", 1, 12.5, 2])
    sheet.append(["RH-X-1", "幸福楼", "幸福路1号", grid, landlord, "102", 1, 9, 1])
    sheet.append(["RH-X-2", "安居楼", "安居路2号", "999999", "", "101", 1, 10, 1])  # no node
    sheet.append(["RH-X-1", "幸福楼", "", grid, "", "201", 2, "很大", 1])  # area not a number
    sheet.append(["RH-X-3", "平安楼", "", grid, "nobody", "101", 1, 10, 1])  # no such landlord
    target = path / "rooms.xlsx"
    book.save(target)
    return target


def test_import_reports_bad_rows_and_is_idempotent(tmp_path: Path, city: City) -> None:
    file = workbook(tmp_path, city)
    out, err = StringIO(), StringIO()
    call_command("import_housing", str(file), "--no-progress", stdout=out, stderr=err)
    assert "5 rows, 1 premises created, 2 rooms, 3 errors" in out.getvalue()
    assert [line.split(":")[0] for line in err.getvalue().splitlines()] == [
        "row 4",
        "row 5",
        "row 6",
    ]
    assert RoomSpec.objects.get(room__number="101").area_m2 == 12.5
    assert PremisesManager.objects.filter(premises__code="RH-X-1").count() == 1
    assert not Premises.objects.filter(code="RH-X-3").exists()  # its row rolled back whole

    call_command("import_housing", str(file), "--no-progress", stdout=StringIO(), stderr=err)
    assert Premises.objects.filter(code__startswith="RH-X").count() == 1
    assert Room.objects.filter(premises__code="RH-X-1").count() == 2
