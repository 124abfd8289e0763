"""A phone caller gets the receipt code by SMS when the case is created: an outbox message in
the intake's transaction, sent to the case's encrypted caller number (issue 15, "Citizens")."""

from typing import ClassVar

import pytest

from shouwang.cases.models import Case
from shouwang.cases.tests.factories import POINT, Loop
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.models import Channel, OutboxMessage, OutboxState
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


class RecordingGateway:
    sent: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        self.sent.append((phone, text))
        return "provider-1"


def take_call(loop: Loop, **extra: object) -> Case:
    lat, lng = POINT["a"]
    body = {"category": "fight", "lat": lat, "lng": lng, "description": "打架", "channel": "110"}
    response = ApiClient(loop.person("dispatcher").username).post(
        "/api/v1/cases", {**body, **extra}
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("channel", ["110", "12345"])
def test_a_phone_caller_gets_the_receipt_code_by_sms(loop: Loop, settings, channel: str) -> None:
    settings.SHOUWANG_SMS_BACKEND = f"{__name__}.RecordingGateway"
    RecordingGateway.sent.clear()
    case = take_call(loop, channel=channel, caller_phone="0579-85512345")

    message = OutboxMessage.objects.get(channel=Channel.SMS, subject_id=str(case.pk))
    assert case.receipt_code in message.payload["sms"]
    assert "85512345" not in message.recipient
    outbox_deliver_batch()

    assert RecordingGateway.sent == [("+8657985512345", message.payload["sms"])]
    message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED


def test_the_default_sender_records_the_message_with_the_number_masked(loop: Loop, caplog) -> None:
    case = take_call(loop, caller_phone="13912345678")

    with caplog.at_level("INFO", logger="shouwang.notify.deliverers.sms"):
        outbox_deliver_batch()

    message = OutboxMessage.objects.get(channel=Channel.SMS, subject_id=str(case.pk))
    assert message.state == OutboxState.DELIVERED
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text


@pytest.mark.parametrize(
    "extra",
    [{"caller_phone": ""}, {"caller_phone": "13912345678", "confidential": True}],
)
def test_no_sms_without_a_number_or_for_a_confidential_caller(loop: Loop, extra: dict) -> None:
    take_call(loop, channel="12345", **extra)

    assert not OutboxMessage.objects.filter(channel=Channel.SMS).exists()
