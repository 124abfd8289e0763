"""The generic webhook: a signed JSON POST the receiver can verify, 2xx only counts as
delivered, and every other answer (or none) is retried."""

import hashlib
import hmac
import json
import time

import pytest

from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.models import Channel, OutboxMessage, OutboxState, WebhookEndpoint
from shouwang.notify.services import outbox_enqueue
from shouwang.notify.tests.conftest import SINK_SECRET
from shouwang.notify.tests.sink import Received, Reply, Sink
from shouwang.testing.city import City


def signature_is_valid(request: Received, secret: str = SINK_SECRET) -> bool:
    """What a receiver does, written from our published contract, not from our code."""
    timestamp = request.headers["x-shouwang-timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(
        request.headers["x-shouwang-signature"], f"sha256={expected}"
    )


def enqueue(city: City | None = None) -> OutboxMessage:
    return outbox_enqueue(
        channel=Channel.WEBHOOK,
        recipient="partner-a",
        payload={"case": 12, "state": "dispatched", "text": "派单：稠城街道 噪音扰民"},
        idempotency_key="case-12:dispatched:partner-a",
        subject=city.a.station if city else None,
    )


def test_receiver_verifies_the_signature_and_gets_the_message(
    city: City, sink: Sink, endpoint: WebhookEndpoint
) -> None:
    sink.verify = signature_is_valid
    message = enqueue(city)

    outbox_deliver_batch()

    [request] = sink.received
    assert request.path == "/hooks/shouwang"
    assert request.headers["content-type"].startswith("application/json")
    assert request.headers["x-shouwang-idempotency-key"] == "case-12:dispatched:partner-a"
    body = request.json()
    assert body["id"] == message.pk
    assert body["idempotency_key"] == "case-12:dispatched:partner-a"
    assert body["payload"] == {"case": 12, "state": "dispatched", "text": "派单：稠城街道 噪音扰民"}
    assert body["subject"] == {"type": "core.Unit", "id": str(city.a.station.pk)}
    message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED


def test_body_is_utf8_json_with_chinese_kept_readable(
    sink: Sink, endpoint: WebhookEndpoint
) -> None:
    enqueue()
    outbox_deliver_batch()
    assert "噪音扰民".encode() in sink.received[0].body
    assert json.loads(sink.received[0].body.decode("utf-8"))["subject"] is None


def test_endpoint_with_the_wrong_secret_is_refused_and_retried(
    sink: Sink, endpoint: WebhookEndpoint
) -> None:
    sink.verify = signature_is_valid
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret="not-the-shared-secret")
    message = enqueue()

    outbox_deliver_batch()

    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert "HTTP 401" in message.last_error


@pytest.mark.parametrize("status", [301, 404, 429])
def test_answer_other_than_2xx_is_a_failure(
    sink: Sink, endpoint: WebhookEndpoint, status: int
) -> None:
    sink.reply(Reply(status, {}))
    message = enqueue()
    outbox_deliver_batch()
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert f"HTTP {status}" in message.last_error


def test_receiver_that_answers_too_late_is_retried(
    sink: Sink, endpoint: WebhookEndpoint, settings
) -> None:
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 0.2
    sink.reply(Reply(200, {}, delay=1.0))
    message = enqueue()

    outbox_deliver_batch()

    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert "Timeout" in message.last_error


@pytest.mark.django_db
def test_unreachable_receiver_is_retried() -> None:
    closed = Sink()  # bound, then closed: nothing listens on its port any more
    url = closed.url
    closed.server.server_close()
    WebhookEndpoint.objects.create(code="partner-a", name="A", url=url, secret="s")
    message = enqueue()

    outbox_deliver_batch()

    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert "ConnectError" in message.last_error


def test_disabled_endpoint_gets_nothing(sink: Sink, endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    message = enqueue()
    outbox_deliver_batch()
    message.refresh_from_db()
    assert sink.received == []
    assert message.state == OutboxState.DEAD
