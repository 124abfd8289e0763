"""WebSocket: hand each message to the channel-layer group(s) named by its recipient (several
joined by '+', notify.groups.groups_together). With the in-memory layer (embedded mode) the sends
run on the ASGI server's loop; see serving_loop.py."""

import asyncio
import re
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from typing import Any

from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer

from shouwang.notify.deliverers.base import DeliveryRuntime, Outcome, error_text
from shouwang.notify.groups import recipient_groups
from shouwang.notify.models import OutboxMessage
from shouwang.notify.serving_loop import serving_loop

# What Channels accepts as a group name (BaseChannelLayer.group_name_regex, length < 100).
GROUP_NAME_RE = re.compile(r"^[a-zA-Z\d\-_.]{1,99}$")
SERVING_LOOP_WAIT_SECONDS = 10.0


def socket_event(message: OutboxMessage) -> dict[str, Any]:
    return {
        "type": "notify.message",
        "message": message.payload,
        "id": message.pk,
        "idempotency_key": message.idempotency_key,
    }


async def _send_one(layer: BaseChannelLayer, message: OutboxMessage) -> None:
    event, groups = socket_event(message), recipient_groups(message.recipient)
    # A socket in several of the groups gets the message more than once, with the same id: the
    # notification socket drops the repeats (notify/consumers.py).
    await asyncio.gather(*(layer.group_send(g, event) for g in groups))


async def _send_all(layer: BaseChannelLayer, messages: Sequence[OutboxMessage]) -> list[Outcome]:
    # A message to several groups is sent again to all of them if one send fails: a screen may
    # see it twice (the id and idempotency key let it tell), none misses it.
    results = await asyncio.gather(*(_send_one(layer, m) for m in messages), return_exceptions=True)
    return [
        Outcome.failed(m.pk, error_text(r))
        if isinstance(r, BaseException)
        else Outcome.delivered(m.pk)
        for m, r in zip(messages, results, strict=True)
    ]


def _valid(recipient: str) -> bool:
    return all(GROUP_NAME_RE.match(group) for group in recipient_groups(recipient))


async def websocket_send(messages: Sequence[OutboxMessage]) -> list[Outcome]:
    """Sends the messages from the loop that owns the channel layer's connections; one outcome
    each. A recipient that is not a valid group name fails for good."""
    invalid = [
        Outcome.failed(m.pk, f"invalid group name {m.recipient!r}", permanent=True)
        for m in messages
        if not _valid(m.recipient)
    ]
    valid = [m for m in messages if _valid(m.recipient)]
    if not valid:
        return invalid
    layer = get_channel_layer()
    if layer is None:
        return invalid + [Outcome.failed(m.pk, "no channel layer configured") for m in valid]
    return invalid + await _send_all(layer, valid)


class WebsocketDeliverer:
    def deliver(
        self, messages: Sequence[OutboxMessage], *, now: datetime, runtime: DeliveryRuntime
    ) -> list[Outcome]:
        loop = serving_loop() if isinstance(get_channel_layer(), InMemoryChannelLayer) else None
        if loop is None:
            return runtime.run(websocket_send(messages))
        future = asyncio.run_coroutine_threadsafe(websocket_send(messages), loop)
        try:
            return future.result(timeout=SERVING_LOOP_WAIT_SECONDS)
        except FutureTimeout:
            future.cancel()
            return [Outcome.failed(m.pk, "serving loop did not answer") for m in messages]
