"""Fixtures of the Open311 tests: the test city equipped for the loop, an issued API key, and
helpers that speak GeoReport v2 over Django's test client in either format."""

from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from shouwang.cases.tests.factories import POINT, Loop, equip
from shouwang.open311.services import IssuedApiKey, api_key_issue
from shouwang.testing.city import City
from shouwang.testing.live import running_server

BASE = "/open311/v2"
LAT, LNG = POINT["a"]  # inside town A's first grid


@pytest.fixture
def loop(city: City) -> Loop:
    return equip(city)


@pytest.fixture
def api_key(loop: Loop) -> IssuedApiKey:
    return api_key_issue(name="市民随手拍")


@pytest.fixture
def categories(flushable_db: None) -> None:
    """Tests on committed transactions start from a flushed database, without the category
    taxonomy the cases app's data migration installs: put it back the same way."""
    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)


@pytest.fixture
def server_url(categories: None) -> Iterator[str]:
    """A real uvicorn server on the test database, for client libraries to talk HTTP to. The
    worker loops stay off: nothing here waits for them, and their threads keep database
    connections open after the server stops (PostgreSQL then cannot drop the test database)."""
    with running_server(workers=False) as url:
        yield url


def xml(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314  (our own server's output)


def body(response: Any, fmt: str) -> Any:
    """The document as Python data: JSON as it is, XML as the element tree."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return response.json()
    return xml(response)


def xml_errors(response: Any) -> list[tuple[str, str]]:
    root = xml(response)
    assert root.tag == "errors"
    return [(e.findtext("code") or "", e.findtext("description") or "") for e in root]


def spec_errors(response: Any, fmt: str) -> list[tuple[str, str]]:
    """(code, description) of each error, whichever the format."""
    if fmt == "xml":
        return xml_errors(response)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return [(str(e["code"]), e["description"]) for e in response.json()]


@pytest.fixture
def post_request(client: Client, api_key: IssuedApiKey) -> Callable[..., Any]:
    """POSTs requests.{fmt} form-encoded, as GeoReport v2 clients do."""

    def post(fmt: str = "json", **fields: Any) -> Any:
        form = {
            "api_key": api_key.key,
            "service_code": "noise",
            "lat": LAT,
            "long": LNG,
            "description": "楼下KTV每天凌晨两点还在唱歌",
            **fields,
        }
        form = {k: v for k, v in form.items() if v is not None}
        return client.post(f"{BASE}/requests.{fmt}", form)

    return post
