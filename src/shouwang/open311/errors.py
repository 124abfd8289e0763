"""Open311's own errors, and how every domain error becomes a GeoReport v2 error status. The
specification asks for 404 for what does not exist, 403 for a missing or wrong api_key and 400
for anything else that cannot be done (including what the JSON API answers with 409 or 422)."""

from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import ApplicationError, NotFound, PermissionDeniedError


class BadRequest(ApplicationError):
    status = 400
    code = "bad_request"
    default_message = _("请求参数有误。")


class ApiKeyRejected(PermissionDeniedError):
    code = "api_key_rejected"


class RateLimited(ApplicationError):
    status = 429
    code = "rate_limited"
    default_message = _("请求过于频繁，请稍后再试。")

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


def open311_status(exc: ApplicationError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, PermissionDeniedError):
        return 403
    if isinstance(exc, RateLimited):
        return 429
    return 400
