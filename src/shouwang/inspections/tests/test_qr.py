"""The public QR safety page, the printed labels and the hazard ledger in Excel."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from shouwang.inspections.tests.conftest import Site
from shouwang.inspections.tests.test_api_contract import inspect
from shouwang.places.models import Premises
from shouwang.testing.api import ApiClient
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_qr_page_shows_the_safety_level_without_login_or_personal_data(site: Site) -> None:
    inspect(ApiClient("inspector_1"), "fire_lane")
    site.house.refresh_from_db()
    response = Client().get(f"/q/{site.house.qr_token}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert site.house.name in page and "data-open-hazards>1<" in page
    assert f'data-stars="{site.house.stars}"' in page
    landlord = site.person("landlord")
    assert landlord.display_name not in page and "138" not in page
    assert "消防通道" not in page  # no hazard details
    assert "/report/?address=" in page and "lat=29.050000" in page


def test_an_unknown_qr_code_is_not_found(site: Site) -> None:
    assert Client().get("/q/not-a-token/").status_code == 404


def test_the_report_page_is_filled_in_from_the_qr_link(site: Site) -> None:
    response = Client().get("/report/", {"address": "幸福路1号", "lat": "29.05", "lng": "120.05"})
    page = response.content.decode()
    assert 'value="幸福路1号"' in page and 'value="29.05"' in page


def test_labels_are_printed_for_a_town_and_missing_tokens_issued(
    site: Site, tmp_path: Path
) -> None:
    site.house.qr_token = None
    site.house.save(update_fields=["qr_token"])
    output = tmp_path / "labels.pdf"
    call_command("premises_qr", node="330782001000", output=str(output))
    assert output.read_bytes().startswith(b"%PDF")
    assert Premises.objects.get(pk=site.house.pk).qr_token
    assert Premises.objects.get(pk=site.shop_b.pk).qr_token is None  # town B not printed


def test_the_hazard_ledger_exports_to_excel_without_phones(site: Site) -> None:
    inspect(ApiClient("inspector_1"), "fire_lane", "extinguisher")
    browser = Client()
    assert browser.login(username="inspector_1", password=PASSWORD)
    response = browser.get("/m/hazards/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][1] == "R-A-001"
    assert not any("138" in str(cell) for row in rows for cell in row)
    other = Client()
    assert other.login(username="inspector_2", password=PASSWORD)
    assert (
        len(
            list(
                load_workbook(
                    io.BytesIO(other.get("/m/hazards/export.xlsx").content)
                ).active.iter_rows()
            )
        )
        == 1
    )
