"""The outbox worker: claim, deliver outside the transaction, record; retry with back-off, dead
letters after the last attempt, leases, wake-ups, and two workers at once."""

import threading
from datetime import timedelta

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.utils import timezone

from shouwang.notify.deliverers import Outcome
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.delivery.claim import LEASE, outbox_claim
from shouwang.notify.delivery.outcomes import outcomes_record
from shouwang.notify.delivery.wake_listener import WakeListener
from shouwang.notify.groups import groups_together, person_group, screen_group
from shouwang.notify.models import Channel, OutboxMessage, OutboxState, WebhookEndpoint
from shouwang.notify.services import outbox_enqueue
from shouwang.notify.tests.sink import Reply, Sink
from shouwang.notify.wake import WAKE_CHANNEL, outbox_ready
from shouwang.testing.city import City
from shouwang.testing.services import need_postgresql, need_redis


def enqueue_webhook(key: str = "case-1:dispatched:partner-a") -> OutboxMessage:
    return outbox_enqueue(
        channel=Channel.WEBHOOK,
        recipient="partner-a",
        payload={"title": "新警情", "text": "稠城街道 火警"},
        idempotency_key=key,
    )


def refreshed(message: OutboxMessage) -> OutboxMessage:
    message.refresh_from_db()
    return message


@pytest.mark.django_db
def test_enqueueing_twice_with_one_key_keeps_one_message() -> None:
    first = enqueue_webhook()
    second = outbox_enqueue(
        channel=Channel.WEBHOOK,
        recipient="someone-else",
        payload={"text": "changed"},
        idempotency_key=first.idempotency_key,
    )
    assert second.pk == first.pk
    assert OutboxMessage.objects.count() == 1
    assert refreshed(first).recipient == "partner-a"


def test_websocket_message_reaches_the_person_group(city: City) -> None:
    layer = get_channel_layer()
    person = city.a.people["responder"]
    socket = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(person_group(person.pk), socket)
    message = outbox_enqueue(
        channel=Channel.WEBSOCKET,
        recipient=person_group(person.pk),
        payload={"case": 7, "text": "请立即出警"},
        idempotency_key="case-7:dispatch:responder",
        person=person,
    )

    assert outbox_deliver_batch() == 1

    event = async_to_sync(layer.receive)(socket)
    assert event == {
        "type": "notify.message",
        "message": {"case": 7, "text": "请立即出警"},
        "id": message.pk,
        "idempotency_key": "case-7:dispatch:responder",
    }
    assert refreshed(message).state == OutboxState.DELIVERED
    assert message.attempts == 1


def test_one_row_for_several_groups_reaches_every_one_of_them(city: City) -> None:
    layer = get_channel_layer()
    city_screen, town_screen = (
        async_to_sync(layer.new_channel)(),
        async_to_sync(layer.new_channel)(),
    )
    async_to_sync(layer.group_add)(screen_group(city.node.code), city_screen)
    async_to_sync(layer.group_add)(screen_group(city.a.node.code), town_screen)
    message = outbox_enqueue(
        channel=Channel.WEBSOCKET,
        recipient=groups_together(
            [screen_group(city.node.code), screen_group(city.a.node.code), screen_group("x")]
        ),
        payload={"case": 8},
        idempotency_key="case-8:received:screens",
    )

    assert outbox_deliver_batch() == 1

    for socket in (city_screen, town_screen):
        assert async_to_sync(layer.receive)(socket)["id"] == message.pk
    assert refreshed(message).state == OutboxState.DELIVERED


@pytest.mark.django_db
def test_a_row_naming_one_invalid_group_among_several_is_dead_at_once() -> None:
    message = outbox_enqueue(
        channel=Channel.WEBSOCKET,
        recipient=groups_together(["screen.330782", "屏幕 2"]),
        payload={},
        idempotency_key="k",
    )
    outbox_deliver_batch()
    assert refreshed(message).state == OutboxState.DEAD


@pytest.mark.django_db
def test_websocket_message_to_an_invalid_group_is_dead_at_once() -> None:
    message = outbox_enqueue(
        channel=Channel.WEBSOCKET, recipient="人员 1", payload={}, idempotency_key="k"
    )
    outbox_deliver_batch()
    assert refreshed(message).state == OutboxState.DEAD
    assert "invalid group name" in message.last_error


def test_failed_delivery_is_retried_after_a_back_off_and_then_delivered(
    sink: Sink, endpoint: WebhookEndpoint
) -> None:
    sink.reply(Reply(500, {"error": "database down"}))
    message = enqueue_webhook()

    outbox_deliver_batch()
    failed = refreshed(message)
    assert failed.state == OutboxState.PENDING
    assert failed.attempts == 1
    assert "HTTP 500" in failed.last_error
    assert failed.next_attempt_at > timezone.now()

    outbox_deliver_batch(now=failed.next_attempt_at)
    assert refreshed(message).state == OutboxState.DELIVERED
    assert message.attempts == 2
    keys = [r.headers["x-shouwang-idempotency-key"] for r in sink.received]
    assert keys == [message.idempotency_key, message.idempotency_key]


def test_failed_message_is_not_retried_before_its_time(
    sink: Sink, endpoint: WebhookEndpoint
) -> None:
    sink.reply(Reply(503))
    message = enqueue_webhook()
    outbox_deliver_batch()

    assert outbox_deliver_batch() == 0
    assert len(sink.received) == 1
    assert refreshed(message).attempts == 1


def test_message_is_dead_after_its_last_attempt_and_not_tried_again(
    sink: Sink, endpoint: WebhookEndpoint
) -> None:
    sink.reply(*[Reply(503)] * 5)
    message = enqueue_webhook()
    OutboxMessage.objects.filter(pk=message.pk).update(max_attempts=3)
    later = timezone.now()
    for _ in range(3):
        later += timedelta(hours=2)
        outbox_deliver_batch(now=later)

    assert refreshed(message).state == OutboxState.DEAD
    assert message.attempts == 3
    assert "HTTP 503" in message.last_error
    assert outbox_deliver_batch(now=later + timedelta(days=1)) == 0
    assert len(sink.received) == 3


@pytest.mark.django_db
def test_message_for_an_unknown_endpoint_is_dead_at_once() -> None:
    message = enqueue_webhook()
    outbox_deliver_batch()
    assert refreshed(message).state == OutboxState.DEAD
    assert "no active webhook endpoint" in message.last_error


def test_message_under_lease_is_not_claimed_by_a_second_worker(
    sink: Sink, endpoint: WebhookEndpoint
) -> None:
    enqueue_webhook()
    now = timezone.now()
    assert len(outbox_claim(limit=10, worker_id="a", now=now)) == 1

    assert outbox_deliver_batch(worker_id="b", now=now + LEASE / 2) == 0
    assert sink.received == []


def test_expired_lease_is_taken_over_and_the_late_worker_records_nothing(
    sink: Sink, endpoint: WebhookEndpoint
) -> None:
    message = enqueue_webhook()
    now = timezone.now()
    [claimed] = outbox_claim(limit=10, worker_id="a", now=now)

    assert outbox_deliver_batch(worker_id="b", now=now + LEASE * 2) == 1
    outcomes_record(
        outcomes=[Outcome.failed(message.pk, "worker a woke up late")],
        claimed=[claimed],
        worker_id="a",
        now=now + LEASE * 2,
    )

    assert refreshed(message).state == OutboxState.DELIVERED
    assert message.last_error == ""
    assert len(sink.received) == 1


@pytest.mark.django_db
def test_message_whose_last_attempt_lost_its_lease_is_dead() -> None:
    message = enqueue_webhook()
    OutboxMessage.objects.filter(pk=message.pk).update(max_attempts=1)
    now = timezone.now()
    outbox_claim(limit=10, worker_id="crashed", now=now)

    assert outbox_deliver_batch(now=now + LEASE * 2) == 0
    assert refreshed(message).state == OutboxState.DEAD
    assert "lease expired" in message.last_error


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_postgresql_deliver_each_message_once(sink: Sink) -> None:
    need_postgresql()
    WebhookEndpoint.objects.create(code="partner-a", name="A", url=f"{sink.url}/hooks", secret="s")
    for i in range(120):
        enqueue_webhook(key=f"burst:{i}")
    errors: list[BaseException] = []
    start_together = threading.Barrier(2)

    def work(name: str) -> None:
        try:
            start_together.wait()
            while outbox_deliver_batch(limit=7, worker_id=name):
                pass
        except BaseException as exc:  # noqa: BLE001 (reported to the test thread below)
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    keys = [r.headers["x-shouwang-idempotency-key"] for r in sink.received]
    assert sorted(keys) == sorted(f"burst:{i}" for i in range(120))
    assert OutboxMessage.objects.exclude(state=OutboxState.DELIVERED).count() == 0
    assert OutboxMessage.objects.filter(attempts=1).count() == 120


def test_redis_publish_wakes_a_worker_in_another_process() -> None:
    url = need_redis()
    listener = WakeListener(url)
    listener.start()
    try:
        assert listener.subscribed.wait(10)
        outbox_ready.clear()
        # Published by a separate client, as the committing process would.
        redis.Redis.from_url(url).publish(WAKE_CHANNEL, b"1")
        assert outbox_ready.wait(10)
    finally:
        listener.stop()
        listener.join(10)


@pytest.mark.django_db
def test_commit_of_a_message_wakes_the_workers(django_capture_on_commit_callbacks) -> None:
    outbox_ready.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_webhook()
    assert outbox_ready.is_set()


@pytest.mark.django_db
def test_message_rolled_back_with_its_transaction_wakes_no_one(
    django_capture_on_commit_callbacks,
) -> None:
    def state_change_that_fails() -> None:
        with transaction.atomic():
            enqueue_webhook()
            raise RuntimeError("the state change failed")

    outbox_ready.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        state_change_that_fails()
    assert callbacks == []
    assert not outbox_ready.is_set()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_commit_of_several_messages_wakes_the_workers_once(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for n in range(3):
            enqueue_webhook(key=f"several:{n}")
    assert len(callbacks) == 3
    outbox_ready.clear()
    callbacks[0]()
    assert outbox_ready.is_set()
    outbox_ready.clear()
    for callback in callbacks[1:]:
        callback()
    assert not outbox_ready.is_set()
