"""Generic webhook: a signed JSON POST to a registered endpoint. The receiver checks
`X-Shouwang-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` and rejects stale
timestamps (replay), and de-duplicates on `X-Shouwang-Idempotency-Key` (we deliver at least
once). Any 2xx is delivered; anything else, or no answer within the timeout, is retried."""

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings

from shouwang.notify.deliverers.base import DeliveryRuntime, Outcome, error_text
from shouwang.notify.models import OutboxMessage, WebhookEndpoint


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def webhook_body(message: OutboxMessage) -> bytes:
    envelope: dict[str, Any] = {
        "id": message.pk,
        "idempotency_key": message.idempotency_key,
        "created_at": message.created_at.isoformat(),
        "subject": (
            {"type": message.subject_type, "id": message.subject_id}
            if message.subject_type
            else None
        ),
        "payload": message.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def http_timeout() -> httpx.Timeout:
    seconds = float(settings.NOTIFY_HTTP_TIMEOUT_SECONDS)
    return httpx.Timeout(seconds, connect=min(seconds, 2.0))


async def _post(
    client: httpx.AsyncClient, endpoint: WebhookEndpoint, message: OutboxMessage
) -> Outcome:
    body, timestamp = webhook_body(message), int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Shouwang-Timestamp": str(timestamp),
        "X-Shouwang-Signature": webhook_signature(
            secret=endpoint.secret, timestamp=timestamp, body=body
        ),
        "X-Shouwang-Idempotency-Key": message.idempotency_key,
    }
    try:
        response = await client.post(
            endpoint.url, content=body, headers=headers, timeout=http_timeout()
        )
    except httpx.HTTPError as exc:
        return Outcome.failed(message.pk, error_text(exc))
    if response.is_success:
        return Outcome.delivered(message.pk)
    return Outcome.failed(message.pk, f"HTTP {response.status_code}: {response.text[:200]}")


class WebhookDeliverer:
    def deliver(
        self, messages: Sequence[OutboxMessage], *, now: datetime, runtime: DeliveryRuntime
    ) -> list[Outcome]:
        codes = {m.recipient for m in messages}
        endpoints = {
            e.code: e for e in WebhookEndpoint.objects.filter(code__in=codes, is_active=True)
        }
        missing = [
            Outcome.failed(m.pk, f"no active webhook endpoint {m.recipient!r}", permanent=True)
            for m in messages
            if m.recipient not in endpoints
        ]
        known = [m for m in messages if m.recipient in endpoints]
        if not known:
            return missing

        async def post_all() -> list[Outcome]:
            posts = (_post(runtime.http, endpoints[m.recipient], m) for m in known)
            return list(await asyncio.gather(*posts))

        return missing + runtime.run(post_all())
