"""The case room socket (`ws/cases/<id>/`): who may join, what a (re)connecting client is sent
from the database, and messages, positions and photos going round the room."""

import io
from importlib import import_module
from typing import Any

import pytest
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from django.test import Client
from PIL import Image

from shouwang.cases import services
from shouwang.cases.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED
from shouwang.cases.models import Case, CaseChannel, ResponderStatus, TimelineEvent
from shouwang.cases.tests.factories import POINT, Loop, dispatched, make_case
from shouwang.cases.websocket_routes import websocket_urlpatterns
from shouwang.core.models import User
from shouwang.core.services.tokens import token_issue
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.groups import case_group
from shouwang.notify.models import OutboxMessage
from shouwang.notify.tests.socket_client import SocketClient
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.usefixtures("flushable_db")


@pytest.fixture(autouse=True)
def categories(flushable_db: None) -> None:
    """A flushed database lacks the taxonomy the data migration installs: put it back."""
    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)


application = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
deliver = database_sync_to_async(outbox_deliver_batch)


@database_sync_to_async
def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@database_sync_to_async
def token_for(user: User) -> str:
    return token_issue(username=user.username, password=PASSWORD, request=None).token


async def join(user: User, case: Case, query: str = "") -> SocketClient:
    cookie = await session_cookie(user)
    socket = SocketClient(
        application, f"/ws/cases/{case.pk}/{query}", headers=[(b"cookie", cookie)]
    )
    assert await socket.connect()
    return socket


async def frames_until(socket: SocketClient, kind: str) -> list[dict[str, Any]]:
    """Frames up to and including the first of type `kind`."""
    frames = []
    while True:
        frame = await socket.receive_json_from(timeout=5)
        frames.append(frame)
        if frame["type"] == kind:
            return frames


def events(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f["event"] for f in frames if f["type"] == "room.event"]


@database_sync_to_async
def timeline_ids(case: Case) -> list[int]:
    return list(TimelineEvent.objects.filter(case=case).order_by("id").values_list("pk", flat=True))


async def test_dispatcher_joining_gets_the_case_and_its_whole_timeline(loop: Loop) -> None:
    case = await database_sync_to_async(dispatched)(loop)
    socket = await join(loop.person("dispatcher"), case)

    hello = await socket.receive_json_from()
    frames = await frames_until(socket, "room.caught_up")

    assert hello["type"] == "room.hello"
    assert hello["case"]["id"] == case.pk and hello["case"]["state"] == "dispatched"
    assert hello["case"]["state_label"] == "已派单"
    assert hello["me"]["username"] == "dispatcher_1"
    kinds = [e["kind"] for e in events(frames)]
    assert kinds == ["received", "dispatched", "room_opened"]
    assert events(frames)[1]["label"] == "派单" and events(frames)[1]["to_state"] == "dispatched"
    assert frames[-1]["last_id"] == (await timeline_ids(case))[-1]
    await socket.disconnect()


async def test_reconnecting_client_gets_only_what_it_missed(loop: Loop) -> None:
    case = await database_sync_to_async(dispatched)(loop)
    seen = (await timeline_ids(case))[-1]
    responder = loop.person("responder")
    await database_sync_to_async(services.assignment_accept)(actor=responder, case=case)

    socket = await join(responder, case, f"?after={seen}")
    await socket.receive_json_from()  # hello
    frames = await frames_until(socket, "room.caught_up")

    assert [e["kind"] for e in events(frames)] == ["accepted"]
    await socket.disconnect()


async def test_catch_up_request_resends_from_the_database(loop: Loop) -> None:
    case = await database_sync_to_async(dispatched)(loop)
    socket = await join(loop.person("dispatcher"), case)
    await frames_until(socket, "room.caught_up")
    first = (await timeline_ids(case))[0]

    await socket.send_json_to({"type": "catch_up", "after": first})
    frames = await frames_until(socket, "room.caught_up")

    # Already sent on this connection: a client never gets an event twice on one socket.
    assert events(frames) == []
    await socket.disconnect()


async def test_message_goes_round_the_room_through_the_outbox(loop: Loop) -> None:
    case = await database_sync_to_async(dispatched)(loop)
    dispatcher = await join(loop.person("dispatcher"), case)
    responder = await join(loop.person("responder"), case)
    await frames_until(dispatcher, "room.caught_up")
    await frames_until(responder, "room.caught_up")

    await responder.send_json_to({"type": "message", "text": "  已到楼下，请联系报警人 ", "ref": 7})
    sent = await responder.receive_json_from()
    await deliver()

    assert sent["type"] == "room.sent" and sent["ref"] == 7
    for socket in (dispatcher, responder):
        (event,) = events(await frames_until(socket, "room.caught_up"))
        assert event["id"] == sent["event_id"]
        assert event["kind"] == "message" and event["label"] == "处置群消息"
        assert event["data"] == {"text": "已到楼下，请联系报警人"}
        assert event["actor"] == "responder_1" and event["actor_name"] == "稠城街道responder"
    outbox = await database_sync_to_async(
        lambda: list(
            OutboxMessage.objects.filter(
                idempotency_key__startswith=f"cases:event:{sent['event_id']}:"
            )
        )
    )()
    assert [m.recipient for m in outbox] == [case_group(case.pk)]  # the room only, no screens
    await dispatcher.disconnect()
    await responder.disconnect()


async def test_an_empty_message_is_refused_and_nothing_is_written(loop: Loop) -> None:
    case = await database_sync_to_async(dispatched)(loop)
    socket = await join(loop.person("dispatcher"), case)
    await frames_until(socket, "room.caught_up")
    before = await timeline_ids(case)

    await socket.send_json_to({"type": "message", "text": "   ", "ref": "a"})
    reply = await socket.receive_json_from()

    assert reply["type"] == "error" and reply["ref"] == "a"
    assert reply["error"]["code"] == "invalid" and reply["error"]["message"] == "消息不能为空。"
    assert await timeline_ids(case) == before
    await socket.disconnect()


async def test_assignee_position_updates_their_status_and_reaches_the_room(loop: Loop) -> None:
    case = await database_sync_to_async(dispatched)(loop)
    dispatcher = await join(loop.person("dispatcher"), case)
    await frames_until(dispatcher, "room.caught_up")
    token = await token_for(loop.person("responder"))
    responder = SocketClient(application, f"/ws/cases/{case.pk}/?token={token}")
    assert await responder.connect()
    await frames_until(responder, "room.caught_up")

    await responder.send_json_to({"type": "position", "lat": 29.1005, "lng": 120.0502})

    for socket in (dispatcher, responder):
        frame = await socket.receive_json_from()
        assert frame["type"] == "room.position"
        assert (frame["username"], frame["lat"], frame["lng"]) == ("responder_1", 29.1005, 120.0502)
    status = await database_sync_to_async(ResponderStatus.objects.get)(
        person=loop.person("responder")
    )
    assert (status.lat, status.lng) == (29.1005, 120.0502)
    await dispatcher.disconnect()
    await responder.disconnect()


async def test_joining_sends_the_latest_positions_of_those_working_the_case(loop: Loop) -> None:
    case = await database_sync_to_async(dispatched)(loop)
    lat, lng = POINT["a"]
    await database_sync_to_async(services.responder_position_report)(
        actor=loop.person("responder"), lat=lat, lng=lng
    )

    socket = await join(loop.person("dispatcher"), case)
    await frames_until(socket, "room.caught_up")
    position = await socket.receive_json_from()

    assert position["type"] == "room.position" and position["username"] == "responder_1"
    assert (position["lat"], position["lng"]) == (lat, lng)
    await socket.disconnect()


async def test_a_dispatchers_position_is_refused_and_nothing_is_recorded(loop: Loop) -> None:
    case = await database_sync_to_async(dispatched)(loop)
    socket = await join(loop.person("dispatcher"), case)
    await frames_until(socket, "room.caught_up")

    await socket.send_json_to({"type": "position", "lat": 29.1, "lng": 120.05})
    reply = await socket.receive_json_from()

    assert reply["type"] == "error" and reply["error"]["code"] == "permission_denied"
    exists = database_sync_to_async(
        ResponderStatus.objects.filter(person=loop.person("dispatcher")).exists
    )
    assert not await exists()
    await socket.disconnect()


async def test_a_photo_uploaded_to_the_case_arrives_as_an_event_with_its_url(
    loop: Loop, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = await database_sync_to_async(dispatched)(loop)
    socket = await join(loop.person("dispatcher"), case)
    await frames_until(socket, "room.caught_up")
    image = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 200)).save(image, "PNG")

    attachment = await database_sync_to_async(services.attachment_add)(
        actor=loop.person("responder"), case=case, data=image.getvalue(), note="现场"
    )
    await deliver()

    (event,) = events(await frames_until(socket, "room.caught_up"))
    assert event["kind"] == "attachment_added"
    assert event["attachments"] == [
        {
            "id": attachment.pk,
            "url": f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}",
            "width": 30,
            "height": 20,
            "note": "现场",
        }
    ]
    await socket.disconnect()


async def test_labels_follow_the_language_asked_for(loop: Loop) -> None:
    case = await database_sync_to_async(dispatched)(loop)
    socket = await join(loop.person("dispatcher"), case, "?lang=en")

    hello = await socket.receive_json_from()
    frames = await frames_until(socket, "room.caught_up")

    assert hello["case"]["state_label"] == "Dispatched"
    assert events(frames)[1]["label"] == "Dispatch"
    await socket.disconnect()


async def test_other_towns_dispatcher_is_closed_as_not_found(loop: Loop) -> None:
    case = await database_sync_to_async(make_case)(loop, town="a")
    cookie = await session_cookie(loop.person("dispatcher", "b"))
    socket = SocketClient(application, f"/ws/cases/{case.pk}/", headers=[(b"cookie", cookie)])
    await socket.connect()

    assert await socket.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_NOT_FOUND,
    }


async def test_a_volunteer_who_may_see_the_case_is_not_let_into_its_room(loop: Loop) -> None:
    case = await database_sync_to_async(make_case)(
        loop, actor=loop.person("volunteer"), code="noise", channel=CaseChannel.APP
    )  # their own report: they see it (least privilege), but its room is the responders'
    cookie = await session_cookie(loop.person("volunteer"))
    socket = SocketClient(application, f"/ws/cases/{case.pk}/", headers=[(b"cookie", cookie)])
    await socket.connect()

    assert await socket.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_FORBIDDEN,
    }


@pytest.mark.parametrize("query", ["", "?token=sw_not-a-real-token"])
async def test_socket_without_a_valid_sign_in_is_closed_with_4401(loop: Loop, query: str) -> None:
    case = await database_sync_to_async(make_case)(loop)
    socket = SocketClient(application, f"/ws/cases/{case.pk}/{query}")
    await socket.connect()

    assert await socket.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }
