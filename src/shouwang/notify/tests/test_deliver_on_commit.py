"""WebSocket rows handed to the serving loop right after the commit that wrote them, sent there
and recorded by the recorder thread (notify/delivery/now.py), with the workers as the safety
net."""

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shouwang.notify import services
from shouwang.notify import serving_loop as serving
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.delivery.claim import LEASE
from shouwang.notify.delivery.now import inline_settle
from shouwang.notify.groups import person_group
from shouwang.notify.models import Channel, OutboxMessage, OutboxState
from shouwang.notify.services import outbox_enqueue_many, outbox_message
from shouwang.testing.city import City

pytestmark = pytest.mark.usefixtures("flushable_db")


@pytest.fixture
def loop(monkeypatch: pytest.MonkeyPatch) -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in its own thread, standing in for the ASGI server's."""
    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(serving, "_serving_loop", running)
    yield running
    running.call_soon_threadsafe(running.stop)
    thread.join(timeout=5)
    running.close()


def on(loop: asyncio.AbstractEventLoop, coroutine: Any) -> Any:
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=5)


def dispatch_message(city: City, key: str) -> OutboxMessage:
    responder = city.a.people["responder"]
    return outbox_message(
        channel=Channel.WEBSOCKET,
        recipient=person_group(responder.pk),
        payload={"type": "case.dispatched", "case": {"id": 9}},
        idempotency_key=key,
        person=responder,
    )


def responder_socket(city: City, loop: asyncio.AbstractEventLoop) -> tuple[Any, str]:
    """The channel layer and a socket's channel in the responder's group."""
    layer = get_channel_layer()
    socket = on(loop, layer.new_channel())
    on(loop, layer.group_add(person_group(city.a.people["responder"].pk), socket))
    return layer, socket


def test_a_committed_message_reaches_the_socket_without_any_worker(
    city: City, loop: asyncio.AbstractEventLoop
) -> None:
    layer, socket = responder_socket(city, loop)

    with transaction.atomic():
        outbox_enqueue_many([dispatch_message(city, "case-9:dispatched")])

    event = on(loop, layer.receive(socket))
    assert inline_settle()
    message = OutboxMessage.objects.get()
    assert message.state == OutboxState.DELIVERED  # no worker ran
    assert event["id"] == message.pk and event["message"]["case"] == {"id": 9}
    assert outbox_deliver_batch() == 0  # nothing left for the workers


def test_a_rolled_back_message_is_neither_kept_nor_sent(
    city: City, loop: asyncio.AbstractEventLoop
) -> None:
    @transaction.atomic
    def failing_step() -> None:
        outbox_enqueue_many([dispatch_message(city, "case-10:dispatched")])
        raise RuntimeError("the step failed")

    with pytest.raises(RuntimeError):
        failing_step()
    assert not OutboxMessage.objects.exists()


def test_without_a_serving_loop_the_workers_deliver_it(city: City) -> None:
    with transaction.atomic():
        outbox_enqueue_many([dispatch_message(city, "case-11:dispatched")])
    assert OutboxMessage.objects.get().state == OutboxState.PENDING
    assert outbox_deliver_batch() == 1
    assert OutboxMessage.objects.get().state == OutboxState.DELIVERED


def test_turned_off_the_workers_deliver_it(
    city: City, loop: asyncio.AbstractEventLoop, settings: Any
) -> None:
    settings.SHOUWANG_OUTBOX_DELIVER_ON_COMMIT = False
    with transaction.atomic():
        outbox_enqueue_many([dispatch_message(city, "case-12:dispatched")])
    assert OutboxMessage.objects.get().state == OutboxState.PENDING


def test_a_row_whose_sender_died_after_the_commit_is_the_workers_once_its_lease_ends(
    city: City, loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "outbox_hand_off", lambda rows: None)
    with transaction.atomic():
        outbox_enqueue_many([dispatch_message(city, "case-13:dispatched")])
    message = OutboxMessage.objects.get()
    assert message.state == OutboxState.SENDING  # claimed as written, never sent
    assert outbox_deliver_batch() == 0  # not while its lease runs
    later = timezone.now() + LEASE + timedelta(seconds=1)
    assert outbox_deliver_batch(now=later) == 1
    message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED and message.attempts == 2


def test_outside_a_transaction_the_message_is_sent_at_once(
    city: City, loop: asyncio.AbstractEventLoop
) -> None:
    outbox_enqueue_many([dispatch_message(city, "case-14:dispatched")])
    assert inline_settle()
    assert OutboxMessage.objects.get().state == OutboxState.DELIVERED


def test_the_committing_thread_neither_reads_the_rows_back_nor_records_them(
    city: City, loop: asyncio.AbstractEventLoop
) -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        outbox_enqueue_many([dispatch_message(city, "case-15:dispatched")])
    outbox_sql = [q["sql"] for q in queries.captured_queries if "notify_outboxmessage" in q["sql"]]
    assert len(outbox_sql) == 1 and outbox_sql[0].startswith("INSERT")
    assert inline_settle()
    assert OutboxMessage.objects.get().state == OutboxState.DELIVERED  # recorded elsewhere


def test_many_steps_are_recorded_and_none_is_left_to_the_workers(
    city: City, loop: asyncio.AbstractEventLoop
) -> None:
    for n in range(30):
        with transaction.atomic():
            outbox_enqueue_many([dispatch_message(city, f"case-{100 + n}:dispatched")])
    assert inline_settle()
    states = set(OutboxMessage.objects.values_list("state", flat=True))
    assert states == {OutboxState.DELIVERED}
    assert outbox_deliver_batch() == 0


def test_a_key_already_in_the_outbox_is_not_sent_again(
    city: City, loop: asyncio.AbstractEventLoop
) -> None:
    layer, socket = responder_socket(city, loop)
    for _ in range(2):
        with transaction.atomic():
            outbox_enqueue_many([dispatch_message(city, "case-16:dispatched")])
    first = on(loop, layer.receive(socket))
    assert inline_settle()
    message = OutboxMessage.objects.get()
    assert first["id"] == message.pk and message.attempts == 1
    with pytest.raises(TimeoutError):
        on(loop, asyncio.wait_for(layer.receive(socket), timeout=0.3))


def test_a_row_for_a_bad_group_is_dead_without_any_worker(
    city: City, loop: asyncio.AbstractEventLoop
) -> None:
    bad = dispatch_message(city, "case-17:dispatched")
    bad.recipient = "not a group name!"
    with transaction.atomic():
        outbox_enqueue_many([bad])
    assert inline_settle()
    message = OutboxMessage.objects.get()
    assert message.state == OutboxState.DEAD and "invalid group name" in message.last_error
