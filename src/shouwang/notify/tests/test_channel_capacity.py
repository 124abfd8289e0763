"""A socket that falls behind gets every message late rather than some never: the channel layer
(in memory embedded, Redis in production) drops silently past its capacity, after the outbox
has marked the message delivered."""

import asyncio
import uuid

from channels.layers import get_channel_layer

BURST = 500  # an alarm storm: one message per alarm to each contact, faster than read


async def test_a_burst_to_a_socket_that_reads_late_is_all_kept() -> None:
    layer = get_channel_layer()
    assert layer is not None
    group = f"test.burst.{uuid.uuid4().hex}"
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    try:
        for number in range(BURST):
            await layer.group_send(group, {"type": "burst.message", "number": number})
        received = []
        for _ in range(BURST):
            try:
                received.append((await asyncio.wait_for(layer.receive(channel), 5))["number"])
            except TimeoutError:
                break  # the rest was dropped
    finally:
        await layer.group_discard(group, channel)
    assert received == list(range(BURST))
