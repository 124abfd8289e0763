"""The one way to write the audit log."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from shouwang.core.models import AuditAction, AuditEntry, AuditResult, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind nginx the first X-Forwarded-For hop is the client; REMOTE_ADDR is the proxy.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR") or None
    return ip


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
