"""Connects Django's and django-axes' sign-in signals to the audit log, and ends a person's API
tokens when their password, role or active flag changes (whoever saved it: a service, the admin,
`changepassword`). The receivers only record and revoke; failures are counted by django-axes."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from shouwang.core.models import AuditAction, AuditResult, User
from shouwang.core.services.audit import audit_record
from shouwang.core.services.tokens import tokens_revoke_all

TOKEN_ENDING_FIELDS = ("password", "role", "is_active")


@receiver(user_logged_in, dispatch_uid="audit-sign-in")
def audit_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(action=AuditAction.SIGN_IN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit-sign-out")
def audit_sign_out(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        audit_record(action=AuditAction.SIGN_OUT, actor=user, request=request)


def _account_node_path(username: str) -> str:
    # The account's own jurisdiction, so its town can see attacks on it; unknown names stay
    # system-wide.
    account = User.objects.filter(username=username).select_related("node").first()
    return account.node.path if account is not None and account.node is not None else ""


@receiver(user_login_failed, dispatch_uid="audit-sign-in-failed")
def audit_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        result=AuditResult.FAILURE,
        actor_username=username,
        request=request,
        node_path=_account_node_path(username),
    )


@receiver(user_locked_out, dispatch_uid="audit-sign-in-locked")
def audit_sign_in_locked(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    name = str(username or "")[:150]
    audit_record(
        action=AuditAction.SIGN_IN_LOCKED,
        result=AuditResult.DENIED,
        actor_username=name,
        request=request,
        node_path=_account_node_path(name),
        detail={"address": ip_address or ""},
    )


@receiver(pre_save, sender=User, dispatch_uid="tokens-end-on-change")
def note_token_ending_change(sender: Any, instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (
        update_fields is not None and not set(update_fields) & set(TOKEN_ENDING_FIELDS)
    ):
        return
    before = User.objects.filter(pk=instance.pk).values(*TOKEN_ENDING_FIELDS).first()
    if before is None:
        return
    changed = [f for f in TOKEN_ENDING_FIELDS if before[f] != getattr(instance, f)]
    if changed:
        instance._tokens_end_reason = ",".join(changed)  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="tokens-end-after-change")
def end_tokens_after_change(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    reason = instance.__dict__.pop("_tokens_end_reason", None)
    if reason and not created:
        tokens_revoke_all(person=instance, actor=None, reason=reason)
