"""Scoping of insight's routes: the category suggestion reads no one's data (the same answer
in every town); a town's bulletin is not shown to another town (404)."""

from datetime import date

import pytest
from django.test import Client

from shouwang.insight.models import BulletinIssue
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db

COVERED_GET_ROUTES = {"/api/v1/insight/suggest-category"}


def test_the_suggestion_is_the_same_in_every_town(city: City) -> None:
    text = "小区门口有人打架"
    a = ApiClient(city.a.people["dispatcher"].username).get(
        "/api/v1/insight/suggest-category", text=text
    )
    b = ApiClient(city.b.people["dispatcher"].username).get(
        "/api/v1/insight/suggest-category", text=text
    )
    assert a.status_code == b.status_code == 200 and a.json() == b.json()


def test_a_town_b_bulletin_is_not_found_for_a_town_a_leader(city: City) -> None:
    issue = BulletinIssue.objects.create(
        kind="daily",
        node=city.b.node,
        first=date(2026, 11, 1),
        last=date(2026, 11, 1),
        title="B日通报",
        pdf=b"%PDF",
        xlsx=b"",
        html=b"",
    )
    town_a, town_b = Client(), Client()
    town_a.force_login(city.a.people["leader"])
    town_b.force_login(city.b.people["leader"])
    assert town_a.get(f"/bulletins/{issue.pk}/pdf").status_code == 404
    assert "B日通报" not in town_a.get("/bulletins/").content.decode()
    assert town_b.get(f"/bulletins/{issue.pk}/pdf").status_code == 200
