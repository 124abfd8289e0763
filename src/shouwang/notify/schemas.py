"""API shapes of the notify app."""

from datetime import datetime
from typing import Any

from ninja import Schema

from shouwang.core.schema_related import related


class NotificationOut(Schema):
    id: int
    channel: str
    state: str
    payload: dict[str, Any]
    created_at: datetime
    delivered_at: datetime | None
    requires_ack: bool
    ack_deadline: datetime | None
    acked_at: datetime | None
    subject_type: str
    subject_id: str


class DeadLetterOut(Schema):
    id: int
    channel: str
    recipient: str
    state: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int
    max_attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    node_code: str | None = None
    resolve_node_code = related("node.code")
    subject_type: str
    subject_id: str
