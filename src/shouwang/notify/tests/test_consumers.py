"""The notification socket: who may connect, which groups they join, what they receive, and
acknowledging over the socket."""

import threading

import pytest
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import URLRouter
from django.db import connection
from django.test import Client

from shouwang.core.models import User
from shouwang.core.services.tokens import token_issue
from shouwang.core.workers import WorkerLoop, run_loop
from shouwang.notify.consumers import CLOSE_UNAUTHENTICATED
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.delivery.worker import outbox_realtime_tick
from shouwang.notify.groups import case_group, person_group, screen_group, unit_group
from shouwang.notify.models import Channel, OutboxMessage
from shouwang.notify.routing import websocket_urlpatterns
from shouwang.notify.selectors import socket_groups_for
from shouwang.notify.services import outbox_enqueue
from shouwang.notify.serving_loop import ServingLoopMiddleware
from shouwang.notify.tests.socket_client import SocketClient
from shouwang.testing.city import PASSWORD, City

application = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))


@database_sync_to_async
def token_for(user: User) -> str:
    return token_issue(username=user.username, password=PASSWORD, request=None).token


@database_sync_to_async
def notify(user: User, key: str, text: str = "请立即出警") -> OutboxMessage:
    return outbox_enqueue(
        channel=Channel.WEBSOCKET,
        recipient=person_group(user.pk),
        payload={"text": text},
        idempotency_key=key,
        person=user,
        requires_ack=True,
    )


deliver = database_sync_to_async(outbox_deliver_batch)


class CaseRoomConsumer(AsyncJsonWebsocketConsumer):
    """Another app's socket (a case room), joining a group without any help from notify."""

    groups = [case_group(42)]

    async def notify_message(self, event: dict[str, object]) -> None:
        await self.send_json(event["message"])


def run_realtime_worker(stop: threading.Event) -> threading.Thread:
    def work() -> None:
        try:
            run_loop(WorkerLoop("test.realtime", outbox_realtime_tick, idle_seconds=0), stop)
        finally:
            connection.close()

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    return worker


async def connect_with_token(user: User) -> SocketClient:
    communicator = SocketClient(application, f"/ws/notify/?token={await token_for(user)}")
    assert await communicator.connect()
    return communicator


def test_dispatcher_joins_person_unit_and_screen_groups(city: City) -> None:
    dispatcher = city.a.people["dispatcher"]
    assert socket_groups_for(user=dispatcher) == [
        person_group(dispatcher.pk),
        unit_group(city.a.station.code),
        screen_group(city.a.node.code),
    ]


def test_responder_joins_no_screen_group(city: City) -> None:
    responder = city.a.people["responder"]
    assert socket_groups_for(user=responder) == [
        person_group(responder.pk),
        unit_group(city.a.station.code),
    ]


def test_volunteer_without_a_unit_joins_only_their_own_group(city: City) -> None:
    volunteer = city.a.people["volunteer"]
    assert socket_groups_for(user=volunteer) == [person_group(volunteer.pk)]


@pytest.mark.usefixtures("flushable_db")
async def test_responder_with_a_token_receives_their_notification(city: City) -> None:
    responder = city.a.people["responder"]
    communicator = await connect_with_token(responder)
    message = await notify(responder, "case-1:dispatch")

    await deliver()

    assert await communicator.receive_json_from(timeout=5) == {
        "type": "notify.message",
        "id": message.pk,
        "idempotency_key": "case-1:dispatch",
        "message": {"text": "请立即出警"},
    }
    await communicator.disconnect()


@pytest.mark.usefixtures("flushable_db")
async def test_signed_in_session_receives_its_units_messages(city: City) -> None:
    dispatcher = city.a.people["dispatcher"]
    client = Client()
    await database_sync_to_async(client.force_login)(dispatcher)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = SocketClient(application, "/ws/notify/", headers=[(b"cookie", cookie)])
    assert await communicator.connect()
    await database_sync_to_async(outbox_enqueue)(
        channel=Channel.WEBSOCKET,
        recipient=unit_group(city.a.station.code),
        payload={"text": "派出所全体：注意"},
        idempotency_key="unit-broadcast",
    )

    await deliver()

    assert (await communicator.receive_json_from(timeout=5))["message"] == {
        "text": "派出所全体：注意"
    }
    await communicator.disconnect()


@pytest.mark.parametrize("query", ["", "?token=sw_not-a-real-token"])
@pytest.mark.django_db
async def test_socket_without_a_valid_sign_in_is_closed_with_4401(query: str) -> None:
    communicator = SocketClient(application, f"/ws/notify/{query}")
    await communicator.connect()
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }


@pytest.mark.usefixtures("flushable_db")
async def test_responder_does_not_receive_someone_elses_notification(city: City) -> None:
    communicator = await connect_with_token(city.a.people["responder"])
    await notify(city.b.people["responder"], "case-2:dispatch")

    await deliver()

    assert await communicator.receive_nothing()
    await communicator.disconnect()


@pytest.mark.usefixtures("flushable_db")
async def test_acknowledging_over_the_socket(city: City) -> None:
    responder = city.a.people["responder"]
    communicator = await connect_with_token(responder)
    message = await notify(responder, "case-1:dispatch")

    await communicator.send_json_to({"type": "ack", "id": message.pk})

    assert await communicator.receive_json_from(timeout=5) == {
        "type": "notify.acked",
        "id": message.pk,
    }
    await database_sync_to_async(message.refresh_from_db)()
    assert message.acked_at is not None
    await communicator.disconnect()


@pytest.mark.usefixtures("flushable_db")
async def test_acknowledging_someone_elses_message_over_the_socket_is_refused(
    city: City,
) -> None:
    communicator = await connect_with_token(city.a.people["responder"])
    message = await notify(city.b.people["responder"], "case-2:dispatch")

    await communicator.send_json_to({"type": "ack", "id": message.pk})

    reply = await communicator.receive_json_from(timeout=5)
    assert reply["type"] == "error"
    assert reply["error"]["code"] == "not_found"
    await database_sync_to_async(message.refresh_from_db)()
    assert message.acked_at is None
    await communicator.disconnect()


@pytest.mark.usefixtures("flushable_db")
async def test_committed_message_reaches_the_socket_through_the_worker_loop(city: City) -> None:
    """No one calls the worker here: the commit wakes it."""
    responder = city.a.people["responder"]
    communicator = await connect_with_token(responder)
    stop = threading.Event()
    worker = run_realtime_worker(stop)
    try:
        message = await notify(responder, "case-3:dispatch")
        frame = await communicator.receive_json_from(timeout=5)
    finally:
        stop.set()
        worker.join(5)
    assert frame["id"] == message.pk
    await communicator.disconnect()


@pytest.mark.usefixtures("flushable_db")
async def test_other_apps_sockets_get_outbox_messages_through_the_serving_loop_middleware(
    city: City,
) -> None:
    room = SocketClient(ServingLoopMiddleware(CaseRoomConsumer.as_asgi()), "/ws/cases/42/")
    assert await room.connect()
    stop = threading.Event()
    worker = run_realtime_worker(stop)
    try:
        await database_sync_to_async(outbox_enqueue)(
            channel=Channel.WEBSOCKET,
            recipient=case_group(42),
            payload={"text": "现场照片已上传"},
            idempotency_key="case-42:photo:1",
        )
        frame = await room.receive_json_from(timeout=5)
    finally:
        stop.set()
        worker.join(5)
    assert frame == {"text": "现场照片已上传"}
    await room.disconnect()


@pytest.mark.usefixtures("flushable_db")
async def test_a_reconnecting_socket_gets_what_it_missed_and_nothing_of_others(
    city: City,
) -> None:
    responder = city.a.people["responder"]
    seen = await notify(responder, "case-3:dispatch", "第一条")
    missed = [await notify(responder, f"case-{n}:dispatch", f"第{n}条") for n in (4, 5)]
    await notify(city.b.people["responder"], "case-6:dispatch", "别人的")
    token = await token_for(responder)

    communicator = SocketClient(application, f"/ws/notify/?token={token}&after={seen.pk}")
    assert await communicator.connect()
    got = [await communicator.receive_json_from(timeout=5) for _ in missed]
    assert [frame["id"] for frame in got] == [m.pk for m in missed]
    assert got[0]["message"] == {"text": "第4条"}
    assert await communicator.receive_nothing()
    await communicator.disconnect()


@pytest.mark.usefixtures("flushable_db")
async def test_a_socket_without_after_gets_no_old_messages(city: City) -> None:
    responder = city.a.people["responder"]
    await notify(responder, "case-7:dispatch")
    communicator = await connect_with_token(responder)
    assert await communicator.receive_nothing()
    await communicator.disconnect()
