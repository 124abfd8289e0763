"""Connects Django's sign-in signals to the audit log. These receivers only record what happened
(audit is not business logic) and count failures for the lockout."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from shouwang.core.models import AuditAction, AuditResult, User
from shouwang.core.services.audit import audit_record
from shouwang.core.services.signin import (
    signin_failure_register,
    signin_is_locked,
    signin_success_register,
)


@receiver(user_logged_in, dispatch_uid="audit-sign-in")
def audit_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    signin_success_register(username=user.get_username())
    audit_record(action=AuditAction.SIGN_IN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit-sign-out")
def audit_sign_out(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        audit_record(action=AuditAction.SIGN_OUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit-sign-in-failed")
def audit_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    if signin_is_locked(username=username):
        action = AuditAction.SIGN_IN_LOCKED
    else:
        locked_now = signin_failure_register(username=username)
        action = AuditAction.SIGN_IN_LOCKED if locked_now else AuditAction.SIGN_IN_FAILED
    # The account's own jurisdiction, so its town can see attacks on it; unknown names stay
    # system-wide.
    account = User.objects.filter(username=username).select_related("node").first()
    node_path = account.node.path if account is not None and account.node is not None else ""
    audit_record(
        action=action,
        result=AuditResult.FAILURE,
        actor_username=username,
        request=request,
        node_path=node_path,
    )
