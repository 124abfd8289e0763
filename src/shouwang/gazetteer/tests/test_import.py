"""`shouwang import-addresses FILE`: a city's own addresses, bad rows told by line, twice is
once."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from shouwang.gazetteer.models import Address, AddressKind
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db

CSV = """address,lat,lng,node_code,kind
稠城街道宾王路100号,29.1,120.05,,
稠城街道绣湖公园,29.12,120.06,330782001001001,landmark
,29.1,120.05,,
稠城街道县前街1号,north,120.05,,
稠城街道县前街2号,29.1,120.05,999,
稠城街道县前街3号,29.1,120.05,,castle
稠城街道县前街4号,95,120.05,,
"""


def run(path: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_addresses", str(path), "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_csv_loads_its_good_rows_and_reports_each_bad_one_by_line(
    city: City, tmp_path: Path
) -> None:
    path = tmp_path / "addresses.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    out, err = run(path)
    assert "created 2, updated 0, unchanged 0, errors 5" in out
    assert [line.split(":")[0] for line in err.splitlines()] == [
        "line 4",
        "line 5",
        "line 6",
        "line 7",
        "line 8",
    ]
    house = Address.objects.get(text="稠城街道宾王路100号")
    assert house.kind == AddressKind.HOUSE
    assert house.key == "宾王路100"
    assert house.node == city.a.grids[0]
    park = Address.objects.get(text="稠城街道绣湖公园")
    assert park.initials == "xhgy"
    assert park.node is not None and park.node.code == "330782001001001"


def test_importing_the_same_file_again_changes_nothing(city: City, tmp_path: Path) -> None:
    path = tmp_path / "addresses.csv"
    path.write_text(CSV, encoding="utf-8")
    run(path)
    out, _ = run(path)
    assert "created 0, updated 0, unchanged 2, errors 5" in out
    assert Address.objects.count() == 2


def test_a_moved_address_is_updated_in_place(city: City, tmp_path: Path) -> None:
    path = tmp_path / "addresses.csv"
    path.write_text(CSV, encoding="utf-8")
    run(path)
    path.write_text(CSV.replace("29.1,120.05,,\n", "29.11,120.05,,\n", 1), encoding="utf-8")
    out, _ = run(path)
    assert "created 0, updated 1, unchanged 1" in out
    assert Address.objects.get(text="稠城街道宾王路100号").lat == 29.11


def test_an_excel_workbook_loads_like_a_csv(city: City, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["address", "lat", "lng"])
    sheet.append(["北苑街道春华路8号", 29.1, 120.25])
    sheet.append(["北苑街道春华路9号", None, 120.25])
    path = tmp_path / "addresses.xlsx"
    book.save(path)
    out, err = run(path)
    assert "created 1, updated 0, unchanged 0, errors 1" in out
    assert err.startswith("line 3:")
    assert Address.objects.get().node == city.b.grids[0]


def test_the_demo_step_fills_the_gazetteer_inside_each_town(city: City) -> None:
    from shapely.geometry import Point, shape

    from shouwang.gazetteer.demo import seed_demo_gazetteer

    assert seed_demo_gazetteer(seed=1) > 0
    assert seed_demo_gazetteer(seed=1) == 0  # a second run changes nothing
    town_a = shape(city.a.node.boundary)
    for address in Address.objects.filter(text__startswith="稠城街道"):
        assert town_a.contains(Point(address.lng, address.lat)), address.text
    assert Address.objects.filter(text="稠城街道宾王路1号", kind=AddressKind.HOUSE).exists()
    assert Address.objects.filter(text="稠城街道绣湖公园", initials="xhgy").exists()
