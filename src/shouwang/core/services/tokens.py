"""API bearer tokens. The token is shown once; only its SHA-256 digest is stored, so a leaked
database does not leak working tokens. A token lives SHOUWANG_API_TOKEN_TTL_SECONDS (12 hours
by default); it ends when revoked, and every token of a person ends when their password, role
or active flag changes. Each request reads the token row (one indexed query), so a revocation
holds on every process at once: no per-process copy can outlive it."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import ApplicationError
from shouwang.core.models import ApiToken, AuditAction, AuditResult, User
from shouwang.core.services.audit import audit_record
from shouwang.core.services.second_factor import second_factor_required, second_factor_verify
from shouwang.core.services.signin import signin_success_register

TOKEN_PREFIX = "sw_"  # noqa: S105  (a visible marker, not a secret)
LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidCredentials(ApplicationError):
    status = 401
    code = "invalid_credentials"
    default_message = _("用户名或密码错误，或账号已被临时锁定。")


class SecondFactorRequired(ApplicationError):
    status = 401
    code = "otp_required"
    default_message = _(
        "管理员账号需要动态验证码（otp）：请填写认证器应用中的 6 位数字或一个备用码。"
    )


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(
    *, username: str, password: str, request: HttpRequest | None, otp: str = ""
) -> IssuedToken:
    """Checks the password through the same backends (and lockout) as the sign-in page, then
    the second factor of those who must have one."""
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        raise InvalidCredentials()
    if second_factor_required(user) and not second_factor_verify(
        user=user, code=otp, request=request
    ):
        raise SecondFactorRequired()
    signin_success_register(username=user.get_username(), request=request)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(seconds=settings.API_TOKEN_TTL_SECONDS)
    record = ApiToken.objects.create(
        user=user, digest=_digest(token), prefix=token[:10], expires_at=expires_at
    )
    audit_record(
        action=AuditAction.TOKEN_ISSUED,
        actor=user,
        request=request,
        target=record,
        detail={"expires_at": expires_at.isoformat()},
    )
    return IssuedToken(token=token, expires_at=expires_at, user=user)


def token_authenticate(*, token: str) -> User | None:
    """The token's person, or None: read from the database on every call."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    record = (
        ApiToken.objects.select_related("user", "user__node")
        .filter(digest=_digest(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if record is None or not record.user.is_active:
        return None
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


def token_revoke(*, token: str, request: HttpRequest | None = None) -> bool:
    """Ends this one token (the caller's own, on sign-out)."""
    record = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if record is None or record.revoked_at is not None:
        return False
    ApiToken.objects.filter(pk=record.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        action=AuditAction.TOKEN_REVOKED,
        actor=record.user,
        request=request,
        target=record,
        detail={"scope": "one"},
    )
    return True


def tokens_revoke_all(
    *, person: User, actor: User | None, reason: str, request: HttpRequest | None = None
) -> int:
    """Ends every live token of the person; audited with the reason (password, role, active,
    admin). Returns how many ended."""
    ended = ApiToken.objects.filter(user=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if ended or reason == "admin":
        audit_record(
            action=AuditAction.TOKEN_REVOKED,
            result=AuditResult.SUCCESS,
            actor=actor,
            actor_username="" if actor else "system",
            request=request,
            target=person,
            node_path=person.node.path if person.node_id and person.node else "",
            detail={"scope": "all", "reason": reason, "tokens": ended},
        )
    return ended
