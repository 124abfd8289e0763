"""The pages: each role finds its own, sees only what it may, and the forms work."""

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.mediation import workers
from shouwang.mediation.models import AlertState, RiskAlert
from shouwang.mediation.tests.conftest import Mediation, call, open_file
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(mediation: Mediation, role: str, town: str = "a") -> Client:
    client = Client()
    assert client.login(username=mediation.person(role, town).username, password=PASSWORD)
    return client


def test_a_mediator_finds_the_pages_and_their_studios_file(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    file_id = open_file(dispatcher, call(dispatcher))
    client = signed_in(mediation, "mediator")
    home = client.get("/").content.decode()
    assert "/mediation/today/" in home and "/risk/alerts/" not in home
    for url in (
        "/mediation/",
        "/mediation/today/",
        "/mediation/figures/",
        f"/mediation/{file_id}/",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/mediation/{file_id}/").content.decode()
    assert "张*丰" in page and "张三丰" not in page
    export = client.get("/mediation/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_another_studios_mediator_gets_404_for_the_file_page(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    file_id = open_file(dispatcher, call(dispatcher))
    client = signed_in(mediation, "mediator", "b")
    assert client.get(f"/mediation/{file_id}/").status_code == 404
    response = client.post(f"/mediation/{file_id}/session/", {"place": "x", "record": "x"})
    assert response.status_code == 404


def test_a_dispatcher_accepts_a_dispute_from_its_case_number(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    case_id = call(dispatcher)
    number = dispatcher.get(f"/api/v1/cases/{case_id}").json()["number"]
    client = signed_in(mediation, "dispatcher")
    found = client.get("/mediation/new/", {"case": number})
    assert found.status_code == 302 and found["Location"] == f"/mediation/new/{case_id}/"
    accepted = client.post(
        f"/mediation/new/{case_id}/",
        {
            "studio": "MS-001",
            "name": ["张三丰", "李四"],
            "phone": ["13900001111", ""],
            "role": ["applicant", "respondent"],
            "amount_in_dispute": "300",
        },
    )
    assert accepted.status_code == 302 and accepted["Location"].startswith("/mediation/")


def test_a_town_dispatcher_follows_up_an_alert_on_the_alerts_page(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    for _ in range(3):
        call(dispatcher, category="noise", description="噪音扰民")
        workers.risk_sweep(now=timezone.now())
    alert = RiskAlert.objects.get()
    client = signed_in(mediation, "dispatcher")
    page = client.get("/risk/alerts/").content.decode()
    assert "7天内同一地址第3次报警" in page
    assert (
        "7天内同一地址"
        not in signed_in(mediation, "dispatcher", "b").get("/risk/alerts/").content.decode()
    )
    client.post(
        f"/risk/alerts/{alert.pk}/follow-up/",
        {"method": "call", "outcome": "no_risk", "note": "电话回访，已协商"},
    )
    assert RiskAlert.objects.get().state == AlertState.FOLLOWED_UP


def test_the_kpi_page_loads_the_mediation_section_for_its_period_and_node(
    mediation: Mediation,
) -> None:
    dispatcher, mediator = mediation.api("dispatcher"), mediation.api("mediator")
    file_id = open_file(dispatcher, call(dispatcher))
    obligation = mediator.post(
        f"/api/v1/mediations/{file_id}/agreement",
        {"obligations": [{"debtor": "respondent", "amount": "700", "due": "2030-01-01"}]},
    ).json()["obligations"][0]
    mediator.post(
        f"/api/v1/mediations/{file_id}/payments",
        {"obligation": obligation, "amount": "700", "at": timezone.now().isoformat()},
    )
    client = signed_in(mediation, "leader")
    kpi = client.get("/kpi/").content.decode()
    assert "/mediation/kpi-section/?" in kpi
    town = mediation.city.a.node.code
    today = timezone.localdate().isoformat()
    section = client.get(
        "/mediation/kpi-section/", {"since": today, "until": today, "node": town}
    ).content.decode()
    assert "¥700.00" in section and "义乌商姐调解工作室" in section
    elsewhere = client.get("/mediation/kpi-section/", {"node": mediation.city.b.node.code})
    assert elsewhere.status_code == 404


def test_the_pages_speak_english_when_asked(mediation: Mediation) -> None:
    client = signed_in(mediation, "mediator")
    client.post("/i18n/setlang/", {"language": "en", "next": "/mediation/"})
    page = client.get("/mediation/").content.decode()
    assert "Mediation files" in page and "调解案卷" not in page
