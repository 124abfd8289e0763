"""A phone caller (110, 12345) cannot see the receipt code on a screen: it goes to them by SMS,
through the outbox, in the transaction that created the case. The message names no person: the
SMS deliverer reads the number from the case's encrypted `caller_phone` when it sends."""

from django.utils.translation import gettext

from shouwang.cases.models import Case, CaseChannel
from shouwang.notify.models import Channel
from shouwang.notify.services import outbox_enqueue_many, outbox_message

PHONE_CHANNELS = frozenset({CaseChannel.PHONE_110, CaseChannel.HOTLINE_12345})
# The deliverer's recipient for "the `caller_phone` field of the message's subject".
CALLER_RECIPIENT = "pii:caller_phone"


def receipt_sms_enqueue(case: Case) -> None:
    """Queues the receipt code for the caller of a phone-channel case; nothing without a
    number, for other channels or for a caller who asked for confidentiality."""
    if case.channel not in PHONE_CHANNELS or not case.caller_phone_cipher or case.confidential:
        return
    text = gettext(
        "【守望】您反映的事件已受理，查询码 %(code)s，可在“进度查询”页面查看处理进度。"
    ) % {"code": case.receipt_code}
    message = outbox_message(
        channel=Channel.SMS,
        recipient=CALLER_RECIPIENT,
        payload={"sms": text, "kind": "receipt"},
        idempotency_key=f"case:{case.pk}:receipt-sms",
        node=case.node,
        subject=case,
    )
    outbox_enqueue_many([message])  # one INSERT on the hot intake path
