"""The Redis channel layer, with one addition: a message for several groups in two round trips.

channels_redis sends to one group at a time, in two round trips for a group nobody listens to
and four for one with listeners (expire the group, list it; expire the channels, send). Our
outbox rows name up to six groups (an assignee, the case room, the screens of the case's
lineage), so a dispatch cost about twenty round trips, each a tenth of a millisecond of the
serving process's CPU. `group_send_many` asks every group in one pipeline and sends to all their
channels in a second, with the same expiry, capacity and message format as `group_send`; a
channel in several of the groups gets the message once.

It uses channels_redis's own helpers (`_group_key`, `_map_channel_keys_to_connection`), which
are not public API: the version is pinned in requirements.lock and the tests send through a
real Redis to real consumers."""

import collections
import logging
import time
from collections.abc import Iterable
from typing import Any

from channels_redis.core import RedisChannelLayer

logger = logging.getLogger(__name__)

# The same check-and-add as channels_redis's group send: a channel over capacity is skipped and
# counted, not an error.
SEND_LUA = """
local over_capacity = 0
local current_time = ARGV[#ARGV - 1]
local expiry = ARGV[#ARGV]
for i=1,#KEYS do
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
        redis.call('ZADD', KEYS[i], current_time, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class GroupsRedisChannelLayer(RedisChannelLayer):  # type: ignore[misc]
    async def group_send_many(self, groups: Iterable[str], message: dict[str, Any]) -> None:
        """Sends `message` once to every channel of any of `groups`."""
        names = list(dict.fromkeys(groups))
        for group in names:
            assert self.require_valid_group_name(group), "Group name not valid"
        channels = await self._members(names)
        if not channels:
            return
        by_connection, payloads, capacities = self._map_channel_keys_to_connection(
            channels, message
        )
        now = time.time()
        for index, keys in by_connection.items():
            pipe = self.connection(index).pipeline(transaction=False)
            for key in keys:
                pipe.zremrangebyscore(key, min=0, max=int(now) - int(self.expiry))
            pipe.eval(
                SEND_LUA,
                len(keys),
                *keys,
                *(payloads[key] for key in keys),
                *(capacities[key] for key in keys),
                now,
                self.expiry,
            )
            over = (await pipe.execute())[-1]
            if over:
                logger.info("%s of %s channels over capacity in %s", over, len(keys), names)

    async def _members(self, groups: list[str]) -> list[str]:
        """The live channels of the groups, each once: one pipeline per Redis host."""
        by_connection: dict[int, list[str]] = collections.defaultdict(list)
        for group in groups:
            by_connection[self.consistent_hash(group)].append(group)
        oldest = int(time.time()) - self.group_expiry
        channels: dict[str, None] = {}
        for index, members_of in by_connection.items():
            pipe = self.connection(index).pipeline(transaction=False)
            for group in members_of:
                key = self._group_key(group)
                pipe.zremrangebyscore(key, min=0, max=oldest)
                pipe.zrange(key, 0, -1)
            replies = await pipe.execute()
            for names in replies[1::2]:
                channels.update((name.decode("utf8"), None) for name in names)
        return list(channels)
