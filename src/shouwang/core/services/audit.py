"""The one way to write the audit log."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from shouwang.core.models import AuditAction, AuditEntry, AuditResult, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from: REMOTE_ADDR, never X-Forwarded-For read here.
    `shouwang serve` runs uvicorn with proxy headers trusted only from
    SHOUWANG_TRUSTED_PROXIES; behind such a proxy uvicorn has already put the client it names
    in REMOTE_ADDR. Reading the header again here let any client write whatever address it
    liked into the audit log and past a push subscription's source allow-list."""
    if request is None:
        return None
    return str(request.META.get("REMOTE_ADDR") or "") or None


def audit_record(
    *,
    action: AuditAction,
    result: AuditResult = AuditResult.SUCCESS,
    actor: User | None = None,
    actor_username: str = "",
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    node_path: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    if actor is not None and actor.is_anonymous:
        actor = None
    if not node_path and actor is not None and actor.node is not None:
        node_path = actor.node.path
    return AuditEntry.objects.create(
        actor=actor,
        actor_username=(actor.get_username() if actor else actor_username)[:150],
        action=action,
        result=result,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        node_path=node_path,
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
        detail=detail or {},
    )
