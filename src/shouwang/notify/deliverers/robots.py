"""DingTalk and WeCom group robots. Per robot and per batch: take the robot's slot; if it is
taken, every message for that robot waits for the next slot (not counted as an attempt); if it is
free, the due messages go out merged into one post, and those that did not fit wait for the next
slot. A robot answering `errcode != 0` (bad sign, muted, throttled) is a failed attempt."""

import asyncio
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import httpx

from shouwang.notify.deliverers.base import DeliveryRuntime, Outcome, error_text
from shouwang.notify.deliverers.robot_budget import robot_slot_take
from shouwang.notify.deliverers.robot_messages import (
    RobotPost,
    robot_post_fill,
    robot_request_body,
)
from shouwang.notify.deliverers.robot_signing import dingtalk_signed_url
from shouwang.notify.deliverers.webhook import http_timeout
from shouwang.notify.models import OutboxMessage, RobotKind, RobotWebhook


def robot_url(robot: RobotWebhook) -> str:
    if robot.kind == RobotKind.DINGTALK and robot.secret:
        now_ms = int(time.time() * 1000)  # DingTalk checks it against its own clock
        return dingtalk_signed_url(url=robot.url, secret=robot.secret, timestamp_ms=now_ms)
    return robot.url


async def _post(client: httpx.AsyncClient, robot: RobotWebhook, post: RobotPost) -> list[Outcome]:
    body = robot_request_body(post, kind=RobotKind(robot.kind))
    try:
        response = await client.post(robot_url(robot), json=body, timeout=http_timeout())
        answer = response.json() if response.is_success else {}
    except (httpx.HTTPError, ValueError) as exc:
        return [Outcome.failed(m.pk, error_text(exc)) for m in post.messages]
    if not response.is_success or not isinstance(answer, dict) or answer.get("errcode") != 0:
        error = f"HTTP {response.status_code}: {response.text[:200]}"
        return [Outcome.failed(m.pk, error) for m in post.messages]
    return [Outcome.delivered(m.pk) for m in post.messages]


class RobotDeliverer:
    def __init__(self, kind: RobotKind) -> None:
        self.kind = kind

    def deliver(
        self, messages: Sequence[OutboxMessage], *, now: datetime, runtime: DeliveryRuntime
    ) -> list[Outcome]:
        by_robot: dict[str, list[OutboxMessage]] = defaultdict(list)
        for message in sorted(messages, key=lambda m: m.pk):
            by_robot[message.recipient].append(message)
        robots = {
            r.code: r
            for r in RobotWebhook.objects.filter(code__in=by_robot, kind=self.kind, is_active=True)
        }
        outcomes: list[Outcome] = []
        posts: list[tuple[RobotWebhook, RobotPost]] = []
        for code, due in by_robot.items():
            outcomes += self._plan(robots.get(code), code, due, now, posts)

        async def post_all() -> list[list[Outcome]]:
            return list(await asyncio.gather(*(_post(runtime.http, r, p) for r, p in posts)))

        for posted in runtime.run(post_all()) if posts else []:
            outcomes += posted
        return outcomes

    def _plan(
        self,
        robot: RobotWebhook | None,
        code: str,
        due: list[OutboxMessage],
        now: datetime,
        posts: list[tuple[RobotWebhook, RobotPost]],
    ) -> list[Outcome]:
        """Outcomes known before posting; appends the post to make, if any, to `posts`."""
        if robot is None:
            error = f"no active {self.kind.value} robot {code!r}"
            return [Outcome.failed(m.pk, error, permanent=True) for m in due]
        slot = robot_slot_take(code=code, now=now)
        if not slot.granted:
            return [Outcome.deferred(m.pk, until=slot.next_start) for m in due]
        post = robot_post_fill(due, kind=self.kind)
        posts.append((robot, post))
        return [Outcome.deferred(m.pk, until=slot.next_start) for m in due[len(post.messages) :]]
