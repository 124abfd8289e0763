"""Fixtures of the notify tests: a local HTTP sink, and the outbox rows and endpoints they use."""

from collections.abc import Iterator

import pytest

from shouwang.notify.models import WebhookEndpoint
from shouwang.notify.tests.sink import Sink

SINK_SECRET = "whsec-test-0123456789"


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink().start()
    yield server
    server.stop()


@pytest.fixture
def endpoint(db: None, sink: Sink) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        code="partner-a", name="对接系统A", url=f"{sink.url}/hooks/shouwang", secret=SINK_SECRET
    )
