"""Sign-in page, role home pages and the language switch."""

import pytest
from django.test import Client

from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_chinese_by_default(db: None) -> None:
    page = Client().get("/login/").content.decode()
    assert 'lang="zh-hans"' in page and "登录守望" in page


def test_sign_in_page_switches_to_english(db: None) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    page = client.get("/login/").content.decode()
    assert 'lang="en"' in page and "Sign in to Shouwang" in page


def test_anonymous_visitor_is_sent_to_sign_in(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_sign_in_lands_on_the_role_home_page(city: City) -> None:
    client = Client()
    response = client.post("/login/", {"username": "leader_1", "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert "稠城街道" in page and "审计日志" in page


def test_volunteer_home_has_no_audit_or_admin_links(city: City) -> None:
    client = Client()
    client.force_login(city.a.people["volunteer"])
    page = client.get("/").content.decode()
    assert "审计日志" not in page and "/admin/" not in page


def test_admin_home_links_the_back_office(city: City) -> None:
    client = Client()
    client.force_login(city.admin)
    assert "/admin/" in client.get("/").content.decode()
    assert client.get("/admin/").status_code == 200


def test_jurisdiction_page_lists_children(city: City) -> None:
    client = Client()
    client.force_login(city.a.people["leader"])
    page = client.get(f"/jurisdiction/{city.a.village.code}/").content.decode()
    assert all(grid.name in page for grid in city.a.grids)


def test_an_english_browser_still_gets_chinese_until_the_person_switches(db: None) -> None:
    page = Client().get("/login/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "登录守望" in page


@pytest.mark.django_db
def test_an_api_path_no_route_matches_answers_with_the_api_error_body(client, settings) -> None:
    settings.DEBUG = False
    response = client.get("/api/v1/inspections/null,null")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()["error"]) == {"code", "message", "extra"}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
