"""A message for several groups, sent in two round trips on Redis: every listener of any of the
groups gets it once, nobody else does, and the channel's capacity still holds."""

import asyncio
import uuid
from typing import Any

import pytest

from shouwang.notify.channel_layer import GroupsRedisChannelLayer
from shouwang.notify.deliverers.websocket import _send_one
from shouwang.notify.models import OutboxMessage
from shouwang.testing.services import need_redis


@pytest.fixture
def layer() -> GroupsRedisChannelLayer:
    return GroupsRedisChannelLayer(
        hosts=[need_redis()], prefix=f"test-many-{uuid.uuid4().hex[:8]}", capacity=3
    )


class Commands:
    """Counts the round trips a layer makes: single commands and pipelines alike."""

    def __init__(self, layer: GroupsRedisChannelLayer) -> None:
        self.count, connection = 0, layer.connection(0)
        run_single, run_pipe = connection.execute_command, connection.pipeline

        async def single(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await run_single(*args, **kwargs)

        def pipeline(*args: Any, **kwargs: Any) -> Any:
            pipe = run_pipe(*args, **kwargs)
            execute = pipe.execute

            async def counted(*a: Any, **k: Any) -> Any:
                self.count += 1
                return await execute(*a, **k)

            pipe.execute = counted
            return pipe

        connection.execute_command, connection.pipeline = single, pipeline
        layer.connection = lambda index: connection  # type: ignore[method-assign]


async def _drain(layer: GroupsRedisChannelLayer, channel: str) -> list[dict[str, Any]]:
    got = []
    while True:
        try:
            got.append(await asyncio.wait_for(layer.receive(channel), 0.3))
        except TimeoutError:
            return got


async def test_every_listener_of_any_group_gets_the_message_once(layer) -> None:
    screen, room, both, stranger = [await layer.new_channel() for _ in range(4)]
    await layer.group_add("screen.330782", screen)
    await layer.group_add("case.7", room)
    await layer.group_add("case.7", both)
    await layer.group_add("person.3", both)
    await layer.group_add("person.9", stranger)
    try:
        await layer.group_send_many(
            ["screen.330782", "case.7", "person.3", "screen.empty"], {"type": "t.m", "n": 1}
        )
        received = {c: await _drain(layer, c) for c in (screen, room, both, stranger)}
    finally:
        await layer.flush()
    assert [m["n"] for m in received[screen]] == [1]
    assert [m["n"] for m in received[room]] == [1]
    assert [m["n"] for m in received[both]] == [1]  # in two of the groups, told once
    assert received[stranger] == []


async def test_several_groups_cost_two_round_trips_instead_of_several_each(layer) -> None:
    channel = await layer.new_channel()
    groups = [f"screen.{n}" for n in range(5)] + ["case.1"]
    for group in groups:
        await layer.group_add(group, channel)
    try:
        commands = Commands(layer)
        await layer.group_send_many(groups, {"type": "t.m"})
        many = commands.count
        commands.count = 0
        for group in groups:
            await layer.group_send(group, {"type": "t.m"})
        one_by_one = commands.count
    finally:
        await layer.flush()
    assert many == 2
    assert one_by_one >= 2 * len(groups)


async def test_nobody_listening_is_one_round_trip(layer) -> None:
    commands = Commands(layer)
    await layer.group_send_many(["screen.a", "screen.b"], {"type": "t.m"})
    assert commands.count == 1


async def test_a_full_channel_is_skipped_not_an_error(layer) -> None:
    channel = await layer.new_channel()
    await layer.group_add("unit.PS", channel)
    try:
        for n in range(5):  # capacity 3
            await layer.group_send_many(["unit.PS"], {"type": "t.m", "n": n})
        received = await _drain(layer, channel)
    finally:
        await layer.flush()
    assert [m["n"] for m in received] == [0, 1, 2]


async def test_the_websocket_deliverer_sends_a_rows_groups_together(layer) -> None:
    room, screen = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("case.42", room)
    await layer.group_add("screen.330782001", screen)
    row = OutboxMessage(pk=5, recipient="case.42+screen.330782001", payload={"kind": "dispatched"})
    row.idempotency_key = "cases:event:1:room"
    try:
        commands = Commands(layer)
        await _send_one(layer, row)
        assert commands.count == 2
        got = [await _drain(layer, c) for c in (room, screen)]
    finally:
        await layer.flush()
    for messages in got:
        assert [(m["type"], m["id"], m["message"]) for m in messages] == [
            ("notify.message", 5, {"kind": "dispatched"})
        ]
