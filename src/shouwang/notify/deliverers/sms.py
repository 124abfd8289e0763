"""SMS and voice. The provider is a plug-in: the dotted path in the setting
`SHOUWANG_SMS_BACKEND` names a class implementing `SmsGateway`; the default only logs (with the
phone masked) and succeeds, so an install without a provider contract still runs end to end.

The recipient is a username; the phone number is decrypted here, for this send only. This is the
system sending on someone's behalf, not a person looking at the number, so it is not audited as a
reveal (ARCHITECTURE.md, "Data and privacy")."""

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

from shouwang.core.models import User
from shouwang.core.pii.masking import mask_phone
from shouwang.core.services.pii import keyring
from shouwang.notify.deliverers.base import DeliveryRuntime, Outcome, error_text
from shouwang.notify.models import OutboxMessage

logger = logging.getLogger(__name__)
DEFAULT_BACKEND = "shouwang.notify.deliverers.sms.LoggingSmsGateway"


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        """Sends `text` to `phone` (11-digit mainland mobile) and returns the provider's message
        id. `idempotency_key` is for providers that de-duplicate (e.g. Aliyun's OutId)."""
        ...


class LoggingSmsGateway:
    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        logger.info(
            "sms logged (no provider) phone=%s chars=%d key=%s",
            mask_phone(phone),
            len(text),
            idempotency_key,
        )
        return f"log:{idempotency_key}"


@lru_cache(maxsize=4)
def _gateway(path: str) -> SmsGateway:
    gateway: SmsGateway = import_string(path)()
    return gateway


def sms_gateway() -> SmsGateway:
    return _gateway(settings.SHOUWANG_SMS_BACKEND or DEFAULT_BACKEND)


def sms_text(payload: dict[str, Any]) -> str:
    if payload.get("sms"):
        return str(payload["sms"])
    parts = [str(payload[k]) for k in ("title", "text") if payload.get(k)]
    return "\n".join(parts)


PII_RECIPIENT = "pii:"


def _subject_phone(message: OutboxMessage) -> str:
    """For a recipient "pii:<field>": the number in that PII field of the message's subject
    (a caller's phone on a case), decrypted for this send only."""
    field = message.recipient.removeprefix(PII_RECIPIENT)
    try:
        model = apps.get_model(message.subject_type)
    except (LookupError, ValueError):
        return ""
    if field not in getattr(model, "pii_fields", ()):
        return ""
    cipher = model._default_manager.filter(pk=message.subject_id).values_list(
        f"{field}_cipher", flat=True
    )
    found = next(iter(cipher), "")
    aad = f"{model._meta.label}.{field}".encode()
    return keyring().decrypt(found, aad=aad) if found else ""


def _phone_of(user: User) -> str:
    # Same associated data as core.services.pii binds to this column.
    aad = f"{User._meta.label}.phone".encode()
    return keyring().decrypt(user.phone_cipher, aad=aad) if user.phone_cipher else ""


async def _send(gateway: SmsGateway, message: OutboxMessage, phone: str) -> Outcome:
    text = sms_text(message.payload)
    try:
        ref = await asyncio.to_thread(
            gateway.send, phone, text, idempotency_key=message.idempotency_key
        )
    # A plug-in gateway may raise anything; one refused number must not fail the rest.
    except Exception as exc:  # noqa: BLE001 (plug-in code, reason above)
        return Outcome.failed(message.pk, error_text(exc))
    return Outcome.delivered(message.pk, provider_ref=str(ref)[:100])


class SmsDeliverer:
    def deliver(
        self, messages: Sequence[OutboxMessage], *, now: datetime, runtime: DeliveryRuntime
    ) -> list[Outcome]:
        users = {
            u.username: u for u in User.objects.filter(username__in={m.recipient for m in messages})
        }
        phones = {name: _phone_of(u) for name, u in users.items() if u.is_active}
        # Messages to a subject's number (not a user's) are keyed by their own id.
        for m in messages:
            if m.recipient.startswith(PII_RECIPIENT):
                phones[m.recipient + f"#{m.pk}"] = _subject_phone(m)

        def key(m: OutboxMessage) -> str:
            return (
                m.recipient + f"#{m.pk}" if m.recipient.startswith(PII_RECIPIENT) else m.recipient
            )

        outcomes = [
            Outcome.failed(m.pk, f"no phone number for {m.recipient!r}", permanent=True)
            for m in messages
            if not phones.get(key(m)) or not sms_text(m.payload)
        ]
        sendable = [m for m in messages if phones.get(key(m)) and sms_text(m.payload)]
        if not sendable:
            return outcomes
        gateway = sms_gateway()

        async def send_all() -> list[Outcome]:
            return list(
                await asyncio.gather(*(_send(gateway, m, phones[key(m)]) for m in sendable))
            )

        return outcomes + runtime.run(send_all())
