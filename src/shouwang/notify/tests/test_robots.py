"""DingTalk and WeCom group robots: DingTalk's signing, and the ~20 posts a minute each robot
allows — a burst is merged into fewer posts, never dropped."""

import base64
import hashlib
import hmac
import urllib.parse
from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.notify.deliverers.robot_budget import slot_seconds
from shouwang.notify.deliverers.robot_signing import dingtalk_sign, dingtalk_signed_url
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.models import Channel, OutboxMessage, OutboxState, RobotKind, RobotWebhook
from shouwang.notify.services import outbox_enqueue
from shouwang.notify.tests.sink import Received, Reply, Sink

SECRET = "SEC0123456789abcdef"
# Worked once by hand with openssl, independently of any Python:
#   printf '1700000000000\nSEC0123456789abcdef' \
#     | openssl dgst -sha256 -hmac 'SEC0123456789abcdef' -binary | base64
KNOWN_SIGN = "TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D"


def published_recipe(timestamp: str, secret: str) -> str:
    """DingTalk's documented Python sample, verbatim in substance."""
    secret_enc = secret.encode("utf-8")
    string_to_sign = f"{timestamp}\n{secret}"
    hmac_code = hmac.new(secret_enc, string_to_sign.encode("utf-8"), digestmod=hashlib.sha256)
    return urllib.parse.quote_plus(base64.b64encode(hmac_code.digest()))


def dingtalk_accepts(request: Received) -> bool:
    sign = urllib.parse.quote_plus(request.query.get("sign", ""))
    return request.query.get("access_token") == "tok123" and sign == published_recipe(
        request.query.get("timestamp", ""), SECRET
    )


@pytest.fixture
def dingtalk(db: None, sink: Sink) -> RobotWebhook:
    return RobotWebhook.objects.create(
        code="town-a-ding",
        kind=RobotKind.DINGTALK,
        name="稠城街道指挥群",
        url=f"{sink.url}/robot/send?access_token=tok123",
        secret=SECRET,
    )


@pytest.fixture
def wecom(db: None, sink: Sink) -> RobotWebhook:
    return RobotWebhook.objects.create(
        code="town-a-wecom",
        kind=RobotKind.WECOM,
        name="稠城街道企业微信群",
        url=f"{sink.url}/cgi-bin/webhook/send?key=key123",
    )


def enqueue(robot: RobotWebhook, n: int, text: str = "") -> OutboxMessage:
    return outbox_enqueue(
        channel=Channel(robot.kind),
        recipient=robot.code,
        payload={"title": f"警情 {n:02d}", "text": text or f"告警 {n:02d}：烟感报警，请核实"},
        idempotency_key=f"alarm-{n}:{robot.code}",
    )


def posted_texts(sink: Sink) -> str:
    def text(request: Received) -> str:
        markdown = request.json()["markdown"]
        return str(markdown.get("text") or markdown.get("content"))

    return "\n".join(text(r) for r in sink.received)


def test_dingtalk_sign_matches_the_published_recipe_and_a_known_vector() -> None:
    ours = dingtalk_sign(secret=SECRET, timestamp_ms=1700000000000)
    assert ours == published_recipe("1700000000000", SECRET)
    assert ours == KNOWN_SIGN


def test_dingtalk_signed_url_keeps_the_access_token_and_adds_timestamp_and_sign() -> None:
    url = dingtalk_signed_url(
        url="https://oapi.dingtalk.com/robot/send?access_token=abc",
        secret=SECRET,
        timestamp_ms=1700000000000,
    )
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=abc"
        f"&timestamp=1700000000000&sign={KNOWN_SIGN}"
    )


def test_dingtalk_robot_accepts_our_signed_markdown_post(
    sink: Sink, dingtalk: RobotWebhook
) -> None:
    sink.verify = dingtalk_accepts
    message = enqueue(dingtalk, 1)

    outbox_deliver_batch()

    [request] = sink.received
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {"title": "警情 01", "text": "### 警情 01\n\n告警 01：烟感报警，请核实"},
    }
    message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED


def test_wecom_robot_gets_markdown_content_at_its_keyed_url(
    sink: Sink, wecom: RobotWebhook
) -> None:
    enqueue(wecom, 1)
    outbox_deliver_batch()
    [request] = sink.received
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": "key123"}
    assert request.json()["markdown"]["content"] == "### 警情 01\n\n告警 01：烟感报警，请核实"


def test_robot_answering_a_nonzero_errcode_is_a_failure(sink: Sink, dingtalk: RobotWebhook) -> None:
    sink.reply(Reply(200, {"errcode": 130101, "errmsg": "send too fast"}))
    message = enqueue(dingtalk, 1)

    outbox_deliver_batch()

    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert "130101" in message.last_error


def test_fifty_due_at_once_go_out_as_one_merged_post(sink: Sink, dingtalk: RobotWebhook) -> None:
    messages = [enqueue(dingtalk, n) for n in range(50)]

    outbox_deliver_batch()

    assert len(sink.received) == 1
    assert "守望通知（50 条）" in sink.received[0].json()["markdown"]["title"]
    for n in range(50):
        assert f"告警 {n:02d}：" in posted_texts(sink)
    assert {m.state for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])} == {
        OutboxState.DELIVERED
    }


def test_burst_of_fifty_is_at_most_twenty_posts_in_the_minute_and_loses_nothing(
    sink: Sink, dingtalk: RobotWebhook
) -> None:
    sink.verify = dingtalk_accepts
    start = timezone.now() + timedelta(minutes=1)  # ahead of every real enqueue time
    for n in range(50):  # one alarm every half second; the worker runs after each commit
        enqueue(dingtalk, n)
        outbox_deliver_batch(now=start + timedelta(seconds=n / 2))
    now = start + timedelta(seconds=25)
    while OutboxMessage.objects.exclude(state=OutboxState.DELIVERED).exists():
        now += timedelta(seconds=1)
        assert now < start + timedelta(minutes=1), "messages still waiting after a minute"
        outbox_deliver_batch(now=now)

    assert 1 < len(sink.received) <= 20
    texts = posted_texts(sink)
    for n in range(50):
        assert texts.count(f"告警 {n:02d}：") == 1


def test_merged_wecom_posts_stay_under_its_size_limit_and_carry_every_message(
    sink: Sink, wecom: RobotWebhook
) -> None:
    long_text = "现场情况：" + "楼道堆放杂物，消防通道堵塞。" * 20  # ~900 bytes each
    for n in range(12):
        enqueue(wecom, n, text=f"告警 {n:02d}：{long_text}")
    now = timezone.now()
    while OutboxMessage.objects.exclude(state=OutboxState.DELIVERED).exists():
        outbox_deliver_batch(now=now)
        now += timedelta(seconds=slot_seconds())

    assert len(sink.received) > 1
    for request in sink.received:
        assert len(request.json()["markdown"]["content"].encode()) <= 4096
    texts = posted_texts(sink)
    for n in range(12):
        assert texts.count(f"告警 {n:02d}：") == 1


def test_a_second_robot_has_its_own_budget(
    sink: Sink, dingtalk: RobotWebhook, wecom: RobotWebhook
) -> None:
    now = timezone.now() + timedelta(minutes=1)  # one slot for both rounds, whatever the clock
    enqueue(dingtalk, 1)
    outbox_deliver_batch(now=now)
    enqueue(wecom, 2)
    enqueue(dingtalk, 3)

    outbox_deliver_batch(now=now)

    assert len(sink.received) == 2  # WeCom posted; DingTalk's second waits for its next slot
    assert OutboxMessage.objects.get(idempotency_key="alarm-3:town-a-ding").state == (
        OutboxState.PENDING
    )


@pytest.mark.django_db
def test_message_for_an_unknown_robot_is_dead_at_once() -> None:
    message = outbox_enqueue(
        channel=Channel.DINGTALK, recipient="nobody", payload={"text": "x"}, idempotency_key="k"
    )
    outbox_deliver_batch()
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD
