"""GET services and service definitions: the public categories, field by field, in JSON and
XML; an unknown or non-public service code is a 404 in the specification's error format."""

import pytest
from django.test import Client

from shouwang.cases.models import Category
from shouwang.open311.tests.conftest import BASE, body, spec_errors, xml

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


def public_codes() -> list[str]:
    rows = Category.objects.filter(is_active=True, is_public=True).order_by("sort", "code")
    return list(rows.values_list("code", flat=True))


def test_the_service_list_is_the_active_public_categories_in_json(client: Client) -> None:
    services = body(client.get(f"{BASE}/services.json"), "json")
    assert [s["service_code"] for s in services] == public_codes()
    noise = next(s for s in services if s["service_code"] == "noise")
    assert list(noise) == SERVICE_FIELDS
    assert noise == {
        "service_code": "noise",
        "service_name": "噪音扰民",
        "description": "Noise nuisance",
        "metadata": False,
        "type": "realtime",
        "keywords": "噪音, 扰民, 施工噪音, 广场舞, 吵",
        "group": "城市管理类",
    }


def test_the_service_list_in_xml_has_one_service_element_per_public_category(
    client: Client,
) -> None:
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == public_codes()
    fire = next(s for s in root if s.findtext("service_code") == "fire")
    assert [child.tag for child in fire] == SERVICE_FIELDS
    assert fire.findtext("metadata") == "false"
    assert fire.findtext("type") == "realtime"
    assert fire.findtext("group") == "消防救援类"


def test_non_public_and_inactive_categories_are_not_offered(client: Client) -> None:
    Category.objects.filter(code="noise").update(is_active=False)
    codes = {s["service_code"] for s in client.get(f"{BASE}/services.json").json()}
    assert "noise" not in codes
    assert "smoke_alarm" not in codes  # device alarms are not reported by the public
    assert "device_maintenance" not in codes


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_service_definition_names_its_code_and_has_no_attributes(
    client: Client, fmt: str
) -> None:
    response = client.get(f"{BASE}/services/noise.{fmt}")
    assert response.status_code == 200
    definition = body(response, fmt)
    if fmt == "json":
        assert definition == {"service_code": "noise", "attributes": []}
    else:
        assert definition.tag == "service_definition"
        assert definition.findtext("service_code") == "noise"
        assert list(definition.find("attributes")) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["no_such_service", "smoke_alarm"])
def test_an_unknown_or_non_public_service_code_is_a_404_in_the_spec_error_format(
    client: Client, fmt: str, code: str
) -> None:
    response = client.get(f"{BASE}/services/{code}.{fmt}")
    assert response.status_code == 404
    assert spec_errors(response, fmt) == [("404", f"service_code {code} was not found.")]


def test_jurisdiction_id_is_accepted_and_changes_nothing(client: Client) -> None:
    plain = client.get(f"{BASE}/services.json").json()
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "yiwu.gov.cn"}).json() == plain


def test_the_service_list_takes_one_query(client: Client, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert client.get(f"{BASE}/services.json").status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_endpoint_and_both_formats(client: Client, fmt: str) -> None:
    document = body(client.get(f"{BASE}/discovery.{fmt}"), fmt)
    if fmt == "json":
        endpoint = document["endpoints"][0]
        assert set(document) == {"changeset", "contact", "key_service", "endpoints"}
        assert endpoint["url"] == "http://testserver/open311/v2/"
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["formats"] == ["text/xml", "application/json"]
    else:
        assert document.tag == "discovery"
        endpoint = document.find("endpoints/endpoint")
        assert endpoint.findtext("url") == "http://testserver/open311/v2/"
        assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]


def test_the_root_shows_the_discovery_document(client: Client) -> None:
    assert xml(client.get(f"{BASE}/")).tag == "discovery"


@pytest.mark.parametrize(
    ("path", "fmt"), [("services.csv", "xml"), ("nothing/here.json", "json"), ("x", "xml")]
)
def test_anything_else_under_the_prefix_is_a_404_in_the_spec_error_format(
    client: Client, path: str, fmt: str
) -> None:
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    assert spec_errors(response, fmt)[0][0] == "404"


def test_a_wrong_method_is_refused_in_the_spec_error_format(client: Client) -> None:
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert spec_errors(response, "json")[0][0] == "405"


def test_head_is_allowed_wherever_get_is(client: Client) -> None:
    assert client.head(f"{BASE}/services.xml").status_code == 200
    assert client.head(f"{BASE}/requests.json").status_code == 200
