"""Fixtures of the devices tests. The heartbeat flusher thread is off: tests flush by hand, so
nothing writes behind their back; the live-server tests run the worker loops instead."""

from collections.abc import Iterator

import pytest

from shouwang.devices.ingest.directory import directory
from shouwang.devices.ingest.heartbeats import heartbeat_buffer
from shouwang.devices.tests.factories import Building, building
from shouwang.testing.city import City


@pytest.fixture(autouse=True)
def no_flusher_thread(settings) -> Iterator[None]:
    settings.SHOUWANG_DEVICES_FLUSH_THREAD = False
    directory.forget()
    heartbeat_buffer.drain()
    yield
    heartbeat_buffer.drain()
    directory.forget()


@pytest.fixture
def categories(flushable_db: None) -> None:
    """Tests on committed transactions start from a flushed database, without the category
    taxonomy the cases app's data migration installs: put it back the same way."""
    from importlib import import_module

    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)


@pytest.fixture
def house(city: City) -> Building:
    return building(city.a)
