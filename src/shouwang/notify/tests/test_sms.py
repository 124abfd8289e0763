"""SMS through a pluggable gateway: the phone is decrypted for the send only, logged masked by
the default gateway, and the system's send is not audited as a person revealing it."""

from typing import ClassVar

import pytest

from shouwang.core.models import AuditAction, AuditEntry
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.models import Channel, OutboxMessage, OutboxState
from shouwang.notify.services import outbox_enqueue
from shouwang.testing.city import City

RESPONDER_A_PHONE = "13800000101"  # testing/city.py: town 1, the responder's role index 1


class RecordingGateway:
    """Stands in for an SMS provider's API."""

    sent: ClassVar[list[tuple[str, str, str]]] = []

    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        self.sent.append((phone, text, idempotency_key))
        return f"provider-{len(self.sent)}"


class RefusingGateway:
    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        raise ConnectionError("provider unreachable")


def text_responder(city: City, key: str = "case-3:sms") -> OutboxMessage:
    return outbox_enqueue(
        channel=Channel.SMS,
        recipient=city.a.people["responder"].username,
        payload={"sms": "【守望】您有新的派单，请尽快接单。"},
        idempotency_key=key,
        person=city.a.people["responder"],
    )


def test_default_gateway_logs_the_phone_masked_and_succeeds(city: City, caplog) -> None:
    message = text_responder(city)

    with caplog.at_level("INFO", logger="shouwang.notify.deliverers.sms"):
        outbox_deliver_batch()

    message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED
    assert message.provider_ref == "log:case-3:sms"
    assert "138****0101" in caplog.text
    assert RESPONDER_A_PHONE not in caplog.text


def test_configured_gateway_gets_the_clear_phone_and_the_idempotency_key(
    city: City, settings
) -> None:
    settings.SHOUWANG_SMS_BACKEND = f"{__name__}.RecordingGateway"
    RecordingGateway.sent.clear()
    message = text_responder(city)

    outbox_deliver_batch()

    assert RecordingGateway.sent == [
        (RESPONDER_A_PHONE, "【守望】您有新的派单，请尽快接单。", "case-3:sms")
    ]
    message.refresh_from_db()
    assert message.provider_ref == "provider-1"


def test_system_send_is_not_audited_as_a_reveal(city: City) -> None:
    before = AuditEntry.objects.filter(action=AuditAction.PII_REVEALED).count()
    text_responder(city)
    outbox_deliver_batch()
    assert AuditEntry.objects.filter(action=AuditAction.PII_REVEALED).count() == before


def test_gateway_failure_is_retried(city: City, settings) -> None:
    settings.SHOUWANG_SMS_BACKEND = f"{__name__}.RefusingGateway"
    message = text_responder(city)

    outbox_deliver_batch()

    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert "provider unreachable" in message.last_error


@pytest.mark.parametrize("recipient", ["admin_city", "nobody"])
def test_person_without_a_phone_gets_nothing_and_the_message_is_dead(
    city: City, settings, recipient: str
) -> None:
    settings.SHOUWANG_SMS_BACKEND = f"{__name__}.RecordingGateway"
    RecordingGateway.sent.clear()
    message = outbox_enqueue(
        channel=Channel.SMS, recipient=recipient, payload={"sms": "x"}, idempotency_key="k"
    )

    outbox_deliver_batch()

    message.refresh_from_db()
    assert message.state == OutboxState.DEAD
    assert RecordingGateway.sent == []
