"""Idempotent creation (the `Idempotency-Key` header): a client that did not get an answer
retries with the same key and body and gets the first answer again, never a second case.

The key, the requester (`actor`), a hash of what was asked and the answer go into one row,
written in the same transaction as the request's own work, so the row exists exactly when the
work was committed (a kill -9 mid-request leaves neither). A retry with the same key and
another body is refused (422). Two copies of a request in flight at once: the second one's
INSERT waits on the unique (actor, key) index until the first commits, then fails, and the
second answers with the first one's stored answer. Refusals (4xx, 5xx) are not kept: the
client may correct and retry under the same key."""

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import InvalidInput
from shouwang.core.models import IdempotencyKey

MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"


def request_hash(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _replay(stored: IdempotencyKey, wanted_hash: str) -> HttpResponse:
    if stored.request_hash != wanted_hash:
        raise InvalidInput(_("该幂等键已用于另一个请求。"), extra={"field": "Idempotency-Key"})
    response = HttpResponse(stored.body, status=stored.status, content_type=stored.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent_respond(
    *, actor: str, key: str, hash_: str, respond: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    """The stored answer to (actor, key), or `respond()`'s, stored with what it did."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(_("幂等键须为1到255个字符。"), extra={"field": "Idempotency-Key"})
    stored = IdempotencyKey.objects.filter(actor=actor, key=key).first()
    if stored is not None:
        return _replay(stored, hash_)
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                actor=actor, key=key, request_hash=hash_, status=0, content_type="", body=""
            )
            response = respond()
            if not isinstance(response, HttpResponse) or not 200 <= response.status_code < 300:
                row.delete()  # a refusal (or a stream): the client may retry under the same key
                return response
            row.status = response.status_code
            row.content_type = response.get("Content-Type", "application/json")
            row.body = response.content.decode("utf-8", errors="replace")
            row.save(update_fields=["status", "content_type", "body"])
            return response
    except IntegrityError:
        # The same key arrived twice at once and the other copy committed first.
        stored = IdempotencyKey.objects.filter(actor=actor, key=key).first()
        if stored is None:
            raise
        return _replay(stored, hash_)
