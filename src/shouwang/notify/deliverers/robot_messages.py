"""What a robot posts: one markdown message, which may carry several outbox messages merged
when more are due than the robot's budget allows. A post has a size limit (WeCom markdown:
4,096 bytes; DingTalk: 20,000), so a merge holds as many whole messages as fit and the rest wait
for the next slot; nothing is cut except a single message too long to post at all."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from shouwang.notify.models import OutboxMessage, RobotKind

MAX_BYTES = {RobotKind.DINGTALK: 18_000, RobotKind.WECOM: 4_000}  # a margin under the limits
SEPARATOR = "\n\n---\n\n"


@dataclass(frozen=True)
class RobotPost:
    messages: list[OutboxMessage]
    title: str
    markdown: str


def robot_entry(payload: dict[str, Any]) -> tuple[str, str]:
    """(title, markdown text) of one message. Callers put `title` and `text` in the payload;
    anything else is shown as JSON so that nothing is silently left out."""
    title = str(payload.get("title") or _("守望通知"))
    text = payload.get("text")
    if text is None:
        text = json.dumps(payload, ensure_ascii=False)
    return title, str(text)


def _compose(entries: Sequence[tuple[str, str]]) -> tuple[str, str]:
    if len(entries) == 1:
        title, text = entries[0]
        return title, f"### {title}\n\n{text}"
    title = _("守望通知（%(count)d 条）") % {"count": len(entries)}
    body = SEPARATOR.join(f"**{t}**\n\n{text}" for t, text in entries)
    return title, f"### {title}\n\n{body}"


def _truncate(text: str, max_bytes: int) -> str:
    marker = _("…（内容过长，已截断）")
    room = max_bytes - len(marker.encode())
    return text.encode()[:room].decode(errors="ignore") + marker


def robot_post_fill(messages: Sequence[OutboxMessage], *, kind: RobotKind) -> RobotPost:
    """The post for the first messages that fit in one robot message (at least one)."""
    limit = MAX_BYTES[kind]
    taken: list[OutboxMessage] = []
    entries: list[tuple[str, str]] = []
    for message in messages:
        candidate = [*entries, robot_entry(message.payload)]
        if entries and len(_compose(candidate)[1].encode()) > limit:
            break
        entries, taken = candidate, [*taken, message]
    title, markdown = _compose(entries)
    if len(markdown.encode()) > limit:
        markdown = _truncate(markdown, limit)
    return RobotPost(messages=taken, title=title, markdown=markdown)


def robot_request_body(post: RobotPost, *, kind: RobotKind) -> dict[str, Any]:
    if kind == RobotKind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": post.title, "text": post.markdown}}
    return {"msgtype": "markdown", "markdown": {"content": post.markdown}}
