"""Acknowledgement: a person confirms a notification that needs it; one past its deadline without
an ack is re-notified exactly once, even with two sweepers."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shouwang.core.errors import NotFound
from shouwang.core.models import User
from shouwang.notify.groups import person_group
from shouwang.notify.models import Channel, OutboxMessage
from shouwang.notify.services import (
    notification_acknowledge,
    notifications_overdue_ack,
    outbox_enqueue,
)
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City
from shouwang.testing.services import need_postgresql


def notify(person: User, key: str = "case-9:dispatch", **fields: object) -> OutboxMessage:
    return outbox_enqueue(
        channel=Channel.WEBSOCKET,
        recipient=person_group(person.pk),
        payload={"case": 9, "text": "请确认接单"},
        idempotency_key=key,
        person=person,
        requires_ack=True,
        ack_within=timedelta(seconds=60),
        **fields,  # type: ignore[arg-type]
    )


def test_person_acknowledges_their_notification_once(city: City) -> None:
    responder = city.a.people["responder"]
    message = notify(responder)

    first = notification_acknowledge(actor=responder, message_id=message.pk)
    second = notification_acknowledge(actor=responder, message_id=message.pk)

    assert first.acked_at is not None
    assert second.acked_at == first.acked_at


def test_someone_else_cannot_acknowledge_it(city: City) -> None:
    message = notify(city.a.people["responder"])

    with pytest.raises(NotFound):
        notification_acknowledge(actor=city.a.people["dispatcher"], message_id=message.pk)

    message.refresh_from_db()
    assert message.acked_at is None


def test_overdue_notification_is_renotified_once(city: City) -> None:
    responder = city.a.people["responder"]
    message = notify(responder)
    later = timezone.now() + timedelta(minutes=2)

    assert notifications_overdue_ack(now=later) == [message]
    assert notifications_overdue_ack(now=later + timedelta(minutes=5)) == []

    [again] = OutboxMessage.objects.filter(renotify_of=message)
    assert again.idempotency_key == "case-9:dispatch:renotify:1"
    assert again.recipient == message.recipient
    assert again.person == responder
    assert again.payload == {
        "case": 9,
        "text": "请确认接单",
        "renotify": 1,
        "original_id": message.pk,
    }


def test_notification_not_yet_due_is_not_renotified(city: City) -> None:
    notify(city.a.people["responder"])
    assert notifications_overdue_ack(now=timezone.now() + timedelta(seconds=30)) == []
    assert OutboxMessage.objects.count() == 1


def test_acknowledged_notification_is_not_renotified(city: City) -> None:
    responder = city.a.people["responder"]
    message = notify(responder)
    notification_acknowledge(actor=responder, message_id=message.pk)

    assert notifications_overdue_ack(now=timezone.now() + timedelta(minutes=2)) == []
    assert OutboxMessage.objects.count() == 1


def test_acknowledging_the_renotification_acknowledges_the_original(city: City) -> None:
    responder = city.a.people["responder"]
    message = notify(responder)
    notifications_overdue_ack(now=timezone.now() + timedelta(minutes=2))
    again = OutboxMessage.objects.get(renotify_of=message)

    notification_acknowledge(actor=responder, message_id=again.pk)

    message.refresh_from_db()
    assert message.acked_at is not None


@pytest.mark.usefixtures("flushable_db")
def test_two_sweepers_on_postgresql_renotify_exactly_once(city: City) -> None:
    need_postgresql()
    responder = city.a.people["responder"]
    for n in range(40):
        notify(responder, key=f"case-{n}:dispatch")
    later = timezone.now() + timedelta(minutes=2)
    start_together = threading.Barrier(2)
    taken: list[int] = []

    def sweep() -> None:
        try:
            start_together.wait()
            while found := notifications_overdue_ack(now=later, limit=3):
                taken.extend(m.pk for m in found)
        finally:
            connection.close()

    sweepers = [threading.Thread(target=sweep) for _ in range(2)]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join()

    assert len(taken) == len(set(taken)) == 40
    assert OutboxMessage.objects.filter(renotify_of__isnull=False).count() == 40


def test_my_notifications_newest_first_and_only_mine(city: City) -> None:
    responder = city.a.people["responder"]
    older = notify(responder, key="older")
    newer = notify(responder, key="newer")
    notify(city.a.people["volunteer"], key="someone-else")

    response = ApiClient(responder.username).get("/api/v1/notify/mine")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [newer.pk, older.pk]


def test_acknowledging_through_the_api(city: City) -> None:
    responder = city.a.people["responder"]
    message = notify(responder)
    client = ApiClient(responder.username)

    response = client.post(f"/api/v1/notify/messages/{message.pk}/ack")

    assert response.status_code == 200
    assert response.json()["acked_at"] is not None
    unacked = client.get("/api/v1/notify/mine", unacked="true").json()["items"]
    assert unacked == []


def test_acknowledging_someone_elses_message_through_the_api_is_not_found(city: City) -> None:
    message = notify(city.a.people["responder"])
    response = ApiClient(city.b.people["responder"].username).post(
        f"/api/v1/notify/messages/{message.pk}/ack"
    )
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.acked_at is None
