"""The notification socket (`ws/notify/`): a signed-in person's own messages, their unit's, and
for command-room roles their jurisdiction's screen pushes. Signs in with the session cookie, or
with `?token=<API token>` for clients that cannot send cookies (apps, big-screen players).
Without a valid sign-in the socket is accepted and closed at once with code 4401, so a client
can tell "sign in again" from a network failure. A client reconnecting with `?after=<the last
message id it saw>` first gets what was sent to the person and their unit since (at most a day
and 200 messages back); it may see a message twice, with the same id."""

from collections import deque
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from shouwang.core.errors import ApplicationError
from shouwang.core.models import User
from shouwang.core.services.tokens import token_authenticate
from shouwang.notify.deliverers.websocket import socket_event
from shouwang.notify.groups import screen_group
from shouwang.notify.models import OutboxMessage
from shouwang.notify.selectors import socket_catch_up, socket_groups_for
from shouwang.notify.services import notification_acknowledge
from shouwang.notify.serving_loop import serving_loop_remember

CLOSE_UNAUTHENTICATED = 4401
# Ids of the messages a socket sent last: a message for several of the socket's groups (its
# person and its unit, say) arrives once per group, and goes out once.
RECENT_IDS = 64


async def _token_user(token: str) -> User | None:
    user: User | None = await database_sync_to_async(token_authenticate)(token=token)
    return user


async def _groups(user: User) -> list[str]:
    groups: list[str] = await database_sync_to_async(socket_groups_for)(user=user)
    return groups


async def _missed(groups: list[str], after_id: int) -> list[OutboxMessage]:
    missed: list[OutboxMessage] = await database_sync_to_async(socket_catch_up)(
        groups=groups, after_id=after_id
    )
    return missed


async def _acknowledge(user: User, message_id: int) -> None:
    await database_sync_to_async(notification_acknowledge)(actor=user, message_id=message_id)


class NotifyConsumer(AsyncJsonWebsocketConsumer):
    user: User | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recent_ids: deque[int] = deque(maxlen=RECENT_IDS)

    async def connect(self) -> None:
        serving_loop_remember()
        self.user = await self._signed_in_user()
        await self.accept()
        if self.user is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        for group in await _groups(self.user):
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)  # left again by Channels on disconnect
        after = self._query("after")
        if after is not None and after.isdigit():
            # Joined first, then read: a message sent meanwhile comes twice, never not at all.
            own = [g for g in self.groups if not g.startswith(screen_group(""))]
            for message in await _missed(own, int(after)):
                await self.notify_message(socket_event(message))

    def _query(self, name: str) -> str | None:
        values = parse_qs(self.scope.get("query_string", b"").decode()).get(name)
        return values[0] if values else None

    async def _signed_in_user(self) -> User | None:
        user = self.scope.get("user")
        if isinstance(user, User) and user.is_active:
            return user
        token = self._query("token")
        return await _token_user(token) if token else None

    async def notify_message(self, event: dict[str, Any]) -> None:
        if event["id"] in self.recent_ids:
            return
        self.recent_ids.append(event["id"])
        await self.send_json(
            {
                "type": "notify.message",
                "id": event["id"],
                "idempotency_key": event["idempotency_key"],
                "message": event["message"],
            }
        )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """`{"type": "ack", "id": N}` acknowledges message N, as POST /messages/N/ack does."""
        if self.user is None or not isinstance(content, dict) or content.get("type") != "ack":
            return
        message_id = content.get("id")
        if not isinstance(message_id, int):
            return
        try:
            await _acknowledge(self.user, message_id)
        except ApplicationError as exc:
            await self.send_json({"type": "error", "id": message_id, **exc.as_body()})
            return
        await self.send_json({"type": "notify.acked", "id": message_id})
