"""georeport 0.3.1 from PyPI, a read-only GeoReport v2 client, against a real server (uvicorn
over HTTP), in both formats: its XML mode parses our documents with xmltodict, a parser that is
not ours, so this also checks the XML is what clients expect."""

import httpx
import pytest
from georeport import GeoReport

from shouwang.cases.tests.factories import Loop
from shouwang.open311.services import IssuedApiKey
from shouwang.open311.tests.conftest import LAT, LNG


def post(server_url: str, api_key: IssuedApiKey) -> int:
    """georeport cannot post; a plain form POST stands in for the reporting app."""
    response = httpx.post(
        f"{server_url}/open311/v2/requests.json",
        data={"api_key": api_key.key, "service_code": "garbage", "lat": LAT, "long": LNG},
    )
    assert response.status_code == 201, response.text
    return int(response.json()[0]["service_request_id"])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_lists_services_and_reads_a_request_back(
    loop: Loop, api_key: IssuedApiKey, server_url: str, fmt: str
) -> None:
    client = GeoReport(f"{server_url}/open311/v2", jurisdiction="yiwu.gov.cn", output_format=fmt)
    services = client.get_service_list()
    garbage = next(s for s in services if s["service_code"] == "garbage")
    assert garbage["service_name"] == "垃圾乱堆"
    assert str(garbage["metadata"]).lower() == "false"
    assert client.get_service_definition("garbage")["service_code"] == "garbage"

    service_request_id = post(server_url, api_key)

    request = client.get_service_request(str(service_request_id))
    assert str(request["service_request_id"]) == str(service_request_id)
    assert request["status"] == "open"
    assert request["service_code"] == "garbage"
    assert float(request["lat"]) == LAT
    assert str(request["requested_datetime"]).endswith("+08:00")
    listed = client.get_service_requests(service_code="garbage", status="open")
    # xmltodict gives a lone element as a mapping rather than a list of one.
    listed = [listed] if isinstance(listed, dict) else listed
    assert [str(r["service_request_id"]) for r in listed] == [str(service_request_id)]
