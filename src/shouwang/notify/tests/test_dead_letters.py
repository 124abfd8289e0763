"""Dead letters: visible to the command room of their jurisdiction (and the city level for
system-wide ones), re-sendable, audited."""

import pytest
from django.test import Client

from shouwang.core.models import AuditEntry, JurisdictionNode
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.models import Channel, OutboxMessage, OutboxState, WebhookEndpoint
from shouwang.notify.selectors import dead_letters_list
from shouwang.notify.services import outbox_enqueue
from shouwang.notify.tests.sink import Sink
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City


def dead_letter(key: str, node: JurisdictionNode | None) -> OutboxMessage:
    """A webhook to an endpoint nobody configured: dead on its first attempt."""
    message = outbox_enqueue(
        channel=Channel.WEBHOOK,
        recipient="partner-a",
        payload={"text": key},
        idempotency_key=key,
        node=node,
    )
    outbox_deliver_batch()
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD
    return message


def listed_ids(username: str) -> list[int]:
    response = ApiClient(username).get("/api/v1/notify/dead-letters")
    assert response.status_code == 200
    return [item["id"] for item in response.json()["items"]]


def test_town_dispatcher_sees_their_towns_dead_letters_only(city: City) -> None:
    mine = dead_letter("a-1", city.a.village)
    dead_letter("b-1", city.b.node)

    assert listed_ids(city.a.people["dispatcher"].username) == [mine.pk]


def test_dead_letter_without_a_node_is_seen_only_at_city_level(city: City) -> None:
    system_wide = dead_letter("system-1", None)

    assert listed_ids(city.a.people["leader"].username) == []
    assert listed_ids(city.admin.username) == [system_wide.pk]


def test_responder_may_not_list_dead_letters(city: City) -> None:
    dead_letter("a-1", city.a.node)
    response = ApiClient(city.a.people["responder"].username).get("/api/v1/notify/dead-letters")
    assert response.status_code == 403


def test_listing_dead_letters_is_one_query(city: City, django_assert_num_queries) -> None:
    for n in range(5):
        dead_letter(f"a-{n}", city.a.node)
    dispatcher = city.a.people["dispatcher"]
    with django_assert_num_queries(1):
        codes = [m.node.code for m in dead_letters_list(user=dispatcher) if m.node]
    assert codes == [city.a.node.code] * 5


def test_resent_dead_letter_is_queued_again_audited_and_delivered(city: City, sink: Sink) -> None:
    message = dead_letter("a-1", city.a.node)
    dispatcher = city.a.people["dispatcher"]

    response = ApiClient(dispatcher.username).post(f"/api/v1/notify/messages/{message.pk}/resend")

    assert response.status_code == 200
    assert response.json()["state"] == OutboxState.PENDING
    assert response.json()["attempts"] == 0
    entry = AuditEntry.objects.get(action="outbox_resent")
    assert entry.actor == dispatcher
    assert entry.target_id == str(message.pk)
    assert entry.node_path == city.a.node.path

    WebhookEndpoint.objects.create(code="partner-a", name="A", url=sink.url, secret="s")
    outbox_deliver_batch()
    message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED
    assert len(sink.received) == 1


def test_delivered_message_cannot_be_resent(city: City, sink: Sink) -> None:
    WebhookEndpoint.objects.create(code="partner-a", name="A", url=sink.url, secret="s")
    message = outbox_enqueue(
        channel=Channel.WEBHOOK,
        recipient="partner-a",
        payload={},
        idempotency_key="k",
        node=city.a.node,
    )
    outbox_deliver_batch()

    response = ApiClient(city.a.people["dispatcher"].username).post(
        f"/api/v1/notify/messages/{message.pk}/resend"
    )

    assert response.status_code == 409
    message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED
    assert len(sink.received) == 1
    assert not AuditEntry.objects.filter(action="outbox_resent").exists()


def test_other_towns_dead_letter_cannot_be_resent(city: City) -> None:
    message = dead_letter("a-1", city.a.node)

    response = ApiClient(city.b.people["dispatcher"].username).post(
        f"/api/v1/notify/messages/{message.pk}/resend"
    )

    assert response.status_code == 404
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD
    assert not AuditEntry.objects.filter(action="outbox_resent").exists()


def test_admin_resends_selected_dead_letters(city: City) -> None:
    dead = dead_letter("a-1", city.a.node)
    client = Client()
    client.force_login(city.admin)

    response = client.post(
        "/admin/notify/outboxmessage/",
        {"action": "resend", "_selected_action": [dead.pk]},
        follow=True,
    )

    assert response.status_code == 200
    dead.refresh_from_db()
    assert dead.state == OutboxState.PENDING
    assert AuditEntry.objects.filter(action="outbox_resent", actor=city.admin).count() == 1


@pytest.mark.parametrize("path", ["outboxmessage", "webhookendpoint", "robotwebhook"])
def test_admin_lists_open(city: City, path: str) -> None:
    dead_letter("a-1", city.a.node)
    client = Client()
    client.force_login(city.admin)
    response = client.get(
        f"/admin/notify/{path}/", {"state": "dead"} if path == "outboxmessage" else {}
    )
    assert response.status_code == 200
