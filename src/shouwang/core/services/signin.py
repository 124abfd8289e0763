"""Sign-in locks (counted by django-axes, see core/signin_lockout.py) and their release."""

from axes.models import AccessAttempt
from django.db import transaction
from django.http import HttpRequest

from shouwang.core.models import AuditAction, User
from shouwang.core.services.audit import audit_record, client_ip


def signin_success_register(*, username: str, request: HttpRequest | None) -> None:
    """A success forgets the failures of this (username, address) pair, as a page sign-in does
    through axes' own receiver; the token endpoint signs in without that signal."""
    AccessAttempt.objects.filter(username=username, ip_address=client_ip(request)).delete()


def signin_unlock(*, username: str, actor: User | None, request: HttpRequest | None = None) -> int:
    """Forgets every counted failure of this username, from every address; audited even when
    there was nothing to release. Returns how many (username, address) records were removed."""
    with transaction.atomic():
        removed, _ = AccessAttempt.objects.filter(username=username).delete()
        account = User.objects.filter(username=username).select_related("node").first()
        audit_record(
            action=AuditAction.SIGN_IN_UNLOCKED,
            actor=actor,
            actor_username="" if actor else "system",
            request=request,
            target=account,
            node_path=account.node.path if account is not None and account.node else "",
            detail={"username": username, "records": removed},
        )
    return int(removed)
