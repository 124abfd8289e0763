"""How django-axes counts sign-in failures here (MLPS 2.0 level 3, OWASP ASVS 5.0 level 2).

- A lock holds the pair (username, client address): five wrong passwords for `dispatcher` from
  one browser do not lock the dispatcher out of the console at another address.
- An address that fails across many usernames (password spraying) is throttled as a whole once
  its failures reach SHOUWANG_SIGNIN_ADDRESS_LIMIT (30 by default).
- The delay grows: the first lock lasts SHOUWANG_SIGNIN_DELAY_SECONDS (five minutes), and every
  further failure while locked doubles it, up to SHOUWANG_SIGNIN_DELAY_MAX_SECONDS (an hour).
- Counts live in the database (axes' AccessAttempt), so every process agrees at once.
Locks and unlocks are written to the audit log (core.audit_hooks, services.signin)."""

from datetime import timedelta
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from shouwang.core.services.audit import client_ip


class PairAndSprayHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """AXES_LOCKOUT_PARAMETERS is [[username, ip_address], ip_address]: the first count is the
    pair's, the second the address's over every username. The address count is scaled so that
    it reaches the pair limit only at the address limit."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        pair, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        pair_limit = settings.AXES_FAILURE_LIMIT
        return int(max(pair, address * pair_limit // settings.SHOUWANG_SIGNIN_ADDRESS_LIMIT))

    def clean_expired_user_attempts(
        self, request: HttpRequest | None = None, credentials: dict[str, Any] | None = None
    ) -> int:
        """Forgets what has expired. Axes would delete every row older than *this* request's
        cool-off, releasing another address's longer lock early: here only this address's own
        expired rows go, and any row past the longest possible wait."""
        longest = timedelta(seconds=settings.SHOUWANG_SIGNIN_DELAY_MAX_SECONDS)
        removed = AccessAttempt.objects.filter(attempt_time__lte=timezone.now() - longest).delete()
        count = int(removed[0])
        address = getattr(request, "axes_ip_address", None) if request is not None else None
        if address:
            own = AccessAttempt.objects.filter(
                ip_address=address, attempt_time__lte=get_cool_off_threshold(request)
            ).delete()
            count += int(own[0])
        return count


def cool_off(request: HttpRequest | None) -> timedelta:
    """How long failures are remembered and a lock lasts: doubling with each failure past the
    limit, counted over the client's address."""
    base = timedelta(seconds=settings.SHOUWANG_SIGNIN_DELAY_SECONDS)
    if request is None:
        return base
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    worst = AccessAttempt.objects.filter(ip_address=address).aggregate(
        n=Max("failures_since_start")
    )["n"]
    beyond = max(0, (worst or 0) - settings.AXES_FAILURE_LIMIT)
    seconds = settings.SHOUWANG_SIGNIN_DELAY_SECONDS * 2 ** min(beyond, 16)
    return timedelta(seconds=min(seconds, settings.SHOUWANG_SIGNIN_DELAY_MAX_SECONDS)) or base


def client_address(request: HttpRequest) -> str | None:
    return client_ip(request)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """429 with Retry-After: our one error body on the API, the sign-in page elsewhere."""
    wait = int(cool_off(request).total_seconds())
    message = _("登录失败次数过多，请 %(minutes)d 分钟后再试，或请管理员解锁。") % {
        "minutes": max(1, (wait + 59) // 60)
    }
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = {"error": {"code": "locked", "message": message, "extra": {"retry_after": wait}}}
        response = JsonResponse(body, status=429)
    else:
        response = render(request, "core/login.html", {"locked_message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response
