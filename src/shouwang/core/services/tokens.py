"""API bearer tokens. The token is shown once; only its SHA-256 digest is stored, so a leaked
database does not leak working tokens."""

import copy
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
from shouwang.core.models import ApiToken, AuditAction, User
from shouwang.core.refcache import ACCESS, forget_key, reference_changed, remembered
from shouwang.core.services.audit import audit_record
from shouwang.core.services.signin import signin_success_register

TOKEN_PREFIX = "sw_"  # noqa: S105  (a visible marker, not a secret)
LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidCredentials(ApplicationError):
    status = 401
    code = "invalid_credentials"
    default_message = _("用户名或密码错误，或账号已被临时锁定。")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, username: str, password: str, request: HttpRequest | None) -> IssuedToken:
    """Checks the password through the same backends (and lockout) as the sign-in page."""
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        raise InvalidCredentials()
    signin_success_register(username=user.get_username())
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
    """The token's person, or None. A token in use is remembered by this process
    (core.refcache, "access" space): any save of a token or a person, and any revocation,
    forgets it here at once and in the other processes within a second. Each caller gets its
    own copy of the person."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest, now = _digest(token), timezone.now()
    record = remembered(("token", digest), lambda: _live_token(digest), space=ACCESS)
    if record is None:
        forget_key(("token", digest), space=ACCESS)  # unknown tokens are not kept
        return None
    if record.revoked_at is not None or record.expires_at <= now or not record.user.is_active:
        return None
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return copy.copy(record.user)


def _live_token(digest: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user", "user__node")
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )


def token_revoke(*, token: str) -> bool:
    updated = ApiToken.objects.filter(digest=_digest(token), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    reference_changed(ACCESS)
    return updated > 0
