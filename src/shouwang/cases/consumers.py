"""The case room socket: `ws/cases/<case_id>/`, the live channel where command and the people on a
case share messages, photos and positions (five-in-sync dispatch opens the room, see
services/dispatch.py).

Who may join: the case's command — its dispatchers, and leaders and admins of its jurisdiction —
and its assignees (services/room.py `is_room_member`). Sign in with the session cookie, or with
`?token=<API token>` for clients that cannot send cookies. The socket is accepted and then
closed at once with:
- 4401: no valid sign-in (sign in again);
- 4404: no such case in your view (also for a case of another jurisdiction: telling "exists but
  not yours" would leak it), or the case left your view while connected;
- 4403: you may see the case but are neither its command nor an assignee.

Optional query parameters: `after=<event id>` (the last timeline event the client has; default
0, the whole timeline), `lang=zh-hans|en` (labels; default the language cookie, else Chinese).

Server → client frames (JSON):
- `{"type": "room.hello", "case": {id, number, state, state_label, category_name, address, lat,
  lng}, "me": {username, name}}` — first, once.
- `{"type": "room.event", "event": {id, kind, label, at, actor, actor_name, from_state, to_state,
  to_state_label, data, detail, attachments: [{id, url, width, height, note}]}}` — one timeline
  event. Kinds are TimelineKind values plus "message" (data: {"text"}); photos are
  "attachment_added" with their `attachments`; `detail` is the text a person attached (the
  message, a note or a reason), "" if none. Events come in id order, each once per
  connection; state changes carry `to_state`.
- `{"type": "room.caught_up", "last_id": N}` — after the events missed (on connect and after
  each catch_up request).
- `{"type": "room.position", "username", "name", "lat", "lng", "at"}` — an assignee's latest
  position (WGS-84): those of every assignee working the case right after connecting, then live.
- `{"type": "room.sent", "ref": <client's ref>, "event_id": N}` — your message was recorded.
- `{"type": "error", "ref": <client's ref>, "error": {"code", "message", "extra"}}` — a request
  was refused (`invalid`, `permission_denied`, `illegal_transition`, `not_found`).
- `{"type": "pong"}`.

Client → server frames (JSON; `ref` is optional and echoed back):
- `{"type": "catch_up", "after": N}` — resend the events after N from the database (after a
  reconnect, a client sends its last id in the URL instead).
- `{"type": "message", "text": "…", "ref": …}` — post a message (at most 1,000 characters).
- `{"type": "position", "lat": …, "lng": …, "coord_system": "wgs84"|"gcj02", "ref": …}` — an
  assignee working the case shares where they are; it also updates their ResponderStatus.
- `{"type": "ping"}`.
Photos are uploaded with POST /api/v1/cases/<id>/attachments and arrive as events.

Every event is read from the DATABASE: a push on the case's group (notify.groups.case_group,
delivered from the outbox after commit) only wakes the socket, which then sends what follows the
last event it sent. A reconnecting client that passes its last id therefore misses nothing, and
a client never sees an event twice on one connection."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation

from shouwang.cases.selectors.case_room import (
    RoomAccess,
    room_access,
    room_case,
    room_case_json,
    room_events,
    room_positions,
)
from shouwang.cases.selectors.case_room import position_json as status_json
from shouwang.cases.services.room import room_message_post, room_position_report
from shouwang.core.errors import ApplicationError, InvalidInput, NotFound
from shouwang.core.models import User
from shouwang.core.services.tokens import token_authenticate
from shouwang.notify.groups import case_group
from shouwang.notify.serving_loop import serving_loop_remember

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CATCH_UP_PAGE = 200


def _query(scope: Mapping[str, Any]) -> dict[str, list[str]]:
    return parse_qs(scope.get("query_string", b"").decode())


def _language(scope: Mapping[str, Any]) -> str:
    wanted = _query(scope).get("lang", [""])[0] or scope.get("cookies", {}).get(
        settings.LANGUAGE_COOKIE_NAME, ""
    )
    known = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in known else settings.LANGUAGE_CODE


def _after_id(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


async def _token_user(token: str) -> User | None:
    user: User | None = await database_sync_to_async(token_authenticate)(token=token)
    return user


def _events_page(user: User, case_id: int, after_id: int, language: str) -> list[dict[str, Any]]:
    with translation.override(language):
        return room_events(user=user, case_id=case_id, after_id=after_id, limit=CATCH_UP_PAGE)


def _hello(user: User, case_id: int, language: str) -> dict[str, Any]:
    with translation.override(language):
        return {
            "type": "room.hello",
            "case": room_case_json(user=user, case_id=case_id),
            "me": {"username": user.username, "name": user.display_name},
        }


def _post_message(user: User, case_id: int, text: str, language: str) -> int:
    with translation.override(language):
        case = room_case(user=user, case_id=case_id)
        return room_message_post(actor=user, case=case, text=text).pk


def _report_position(
    user: User, case_id: int, content: dict[str, Any], language: str
) -> dict[str, Any]:
    with translation.override(language):
        try:
            lat, lng = float(content["lat"]), float(content["lng"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(extra={"field": "lat"}) from exc
        coord_system = str(content.get("coord_system") or "wgs84")
        case = room_case(user=user, case_id=case_id)
        status = room_position_report(
            actor=user, case=case, lat=lat, lng=lng, coord_system=coord_system
        )
        return status_json(status)


class CaseRoomConsumer(AsyncJsonWebsocketConsumer):
    user: User | None = None
    case_id: int = 0
    last_id: int = 0
    language: str = settings.LANGUAGE_CODE

    async def connect(self) -> None:
        serving_loop_remember()
        self.case_id = int(self.scope["url_route"]["kwargs"]["case_id"])
        self.language = _language(self.scope)
        self.user = await self._signed_in_user()
        await self.accept()
        if self.user is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        access = await database_sync_to_async(room_access)(user=self.user, case_id=self.case_id)
        if access != RoomAccess.MEMBER:
            forbidden = access == RoomAccess.FORBIDDEN
            await self.close(code=CLOSE_FORBIDDEN if forbidden else CLOSE_NOT_FOUND)
            self.user = None
            return
        # Join first, then read: an event committed in between is read now or wakes us later,
        # and last_id keeps it from being sent twice.
        group = case_group(self.case_id)
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups.append(group)  # left again by Channels on disconnect
        await self.send_json(
            await database_sync_to_async(_hello)(self.user, self.case_id, self.language)
        )
        self.last_id = _after_id(_query(self.scope).get("after", ["0"])[0])
        if await self._catch_up(self.last_id):
            for position in await database_sync_to_async(room_positions)(
                user=self.user, case_id=self.case_id
            ):
                await self.send_json({"type": "room.position", **position})

    async def _signed_in_user(self) -> User | None:
        user = self.scope.get("user")
        if isinstance(user, User) and user.is_active:
            return user
        tokens = _query(self.scope).get("token")
        return await _token_user(tokens[0]) if tokens else None

    async def _catch_up(self, after_id: int) -> bool:
        """Sends the events after `after_id` and a caught_up frame. False (and the socket
        closed) when the user may no longer see the case."""
        assert self.user is not None
        while True:
            try:
                page = await database_sync_to_async(_events_page)(
                    self.user, self.case_id, after_id, self.language
                )
            except NotFound:
                await self.close(code=CLOSE_NOT_FOUND)
                return False
            for event in page:
                if event["id"] > self.last_id:
                    await self.send_json({"type": "room.event", "event": event})
                    self.last_id = event["id"]
                after_id = max(after_id, event["id"])
            if len(page) < CATCH_UP_PAGE:
                break
        await self.send_json({"type": "room.caught_up", "last_id": self.last_id})
        return True

    async def notify_message(self, event: dict[str, Any]) -> None:
        """A case event delivered from the outbox to the room's group: read what is new."""
        if self.user is None:
            return
        pushed = event.get("message", {}).get("event", {}).get("id")
        if isinstance(pushed, int) and pushed <= self.last_id:
            return
        await self._catch_up(self.last_id)

    async def room_position(self, event: dict[str, Any]) -> None:
        if self.user is not None:
            await self.send_json({"type": "room.position", **event["position"]})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.user is None or not isinstance(content, dict):
            return
        kind, ref = content.get("type"), content.get("ref")
        try:
            if kind == "catch_up":
                await self._catch_up(_after_id(content.get("after")))
            elif kind == "message":
                await self._message(content, ref)
            elif kind == "position":
                await self._position(content)
            elif kind == "ping":
                await self.send_json({"type": "pong"})
        except ApplicationError as exc:
            with translation.override(self.language):
                body = exc.as_body()
            await self.send_json({"type": "error", "ref": ref, **body})

    async def _message(self, content: dict[str, Any], ref: Any) -> None:
        assert self.user is not None
        text = content.get("text")
        if not isinstance(text, str):
            raise InvalidInput(extra={"field": "text"})
        event_id = await database_sync_to_async(_post_message)(
            self.user, self.case_id, text, self.language
        )
        await self.send_json({"type": "room.sent", "ref": ref, "event_id": event_id})

    async def _position(self, content: dict[str, Any]) -> None:
        assert self.user is not None
        position = await database_sync_to_async(_report_position)(
            self.user, self.case_id, content, self.language
        )
        await self.channel_layer.group_send(
            case_group(self.case_id), {"type": "room.position", "position": position}
        )
