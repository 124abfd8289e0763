"""Turns domain errors raised under a page view into the matching status and error page: the
one place pages map ApplicationError (the API has its own handler in shouwang/api.py)."""

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from shouwang.core.errors import ApplicationError
from shouwang.core.services.idempotency import idempotent_respond, request_hash
from shouwang.core.services.tokens import token_authenticate


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, ApplicationError):
            return None
        context = {"status": exc.status, "message": str(exc.message)}
        return render(request, "core/error.html", context, status=exc.status)


API_PREFIX = "/api/"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The API reads JSON; file uploads (photos, device sheets) come as multipart forms.
API_CONTENT_TYPES = frozenset({"application/json", "multipart/form-data"})


def _error(status: int, code: str, message: str, *, api_: bool) -> HttpResponse:
    if api_:
        body = {"error": {"code": code, "message": message, "extra": {}}}
        return JsonResponse(body, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _carries_nul(request: HttpRequest, content_type: str, length: int) -> bool:
    """A NUL character in the query or in a JSON or form body: PostgreSQL cannot store or even
    compare it (psycopg refuses the query: a 500), and no text of ours has one. Django's form
    fields refuse it themselves; this covers the API, Open311 and every query string."""
    if "\x00" in request.META.get("QUERY_STRING", "") or any(
        "\x00" in value for values in request.GET.lists() for value in values[1]
    ):
        return True
    if length <= 0 or content_type == "multipart/form-data":
        return False
    body = request.body
    if content_type == "application/json":
        return b"\x00" in body or b"\\u0000" in body
    if content_type == "application/x-www-form-urlencoded":
        return any("\x00" in value for values in request.POST.lists() for value in values[1])
    return False


class RequestShapeMiddleware:
    """Refuses, before any view reads it, a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (413,
    in every mode: without it Django's own refusal surfaces as a 400 or a traceback) and a body
    that is neither JSON nor a multipart upload on the API (415)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api_ = request.path.startswith(API_PREFIX)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return _error(413, "too_large", str(_("请求内容过大。")), api_=api_)
        content_type = (request.content_type or "").lower()
        body_sent = api_ and request.method in BODY_METHODS and length > 0
        if body_sent and content_type not in API_CONTENT_TYPES:
            message = str(_("请求内容须为 JSON（application/json）。"))
            return _error(415, "unsupported_media_type", message, api_=api_)
        if _carries_nul(request, content_type, length):
            return _error(422, "invalid", str(_("输入中不能含有空字符（NUL）。")), api_=api_)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, RequestDataTooBig):
            api_ = request.path.startswith(API_PREFIX)
            return _error(413, "too_large", str(_("请求内容过大。")), api_=api_)
        return None


# Creations that take an Idempotency-Key: a case over the API, an Open311 request, a device push.
IDEMPOTENT_PATHS = re.compile(
    r"^(/api/v1/cases|/open311/v2/requests\.(json|xml)|/api/v1/devices/push/.+)$"
)


class IdempotencyMiddleware:
    """Runs POSTs to the creating endpoints that carry an `Idempotency-Key` header through
    core.services.idempotency. After AuthenticationMiddleware: the requester is the signed-in
    person or the bearer token's; an Open311 client by its API key; a device push by its URL."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if key is None or request.method != "POST" or not IDEMPOTENT_PATHS.match(request.path):
            return self.get_response(request)
        body = request.body
        hash_ = request_hash(method="POST", path=request.path, body=body)
        try:
            response = idempotent_respond(
                actor=_requester(request),
                key=key.strip(),
                hash_=hash_,
                respond=lambda: self.get_response(request),
            )
        except ApplicationError as exc:
            return JsonResponse(exc.as_body(), status=exc.status)
        return response  # type: ignore[return-value]


def _requester(request: HttpRequest) -> str:
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        user = token_authenticate(token=authorization[7:].strip())
        return f"user:{user.pk}" if user is not None else _fingerprint("token", authorization)
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if request.path.startswith("/open311/"):
        key = request.POST.get("api_key") or request.GET.get("api_key") or ""
        return _fingerprint("open311", key)
    # A device push: the platform's URL (with its secret or code), and our generic push's device.
    return _fingerprint("push", f"{request.path} {request.headers.get('X-Shouwang-Device', '')}")


def _fingerprint(kind: str, secret: str) -> str:
    return f"{kind}:{hashlib.sha256(secret.encode()).hexdigest()[:40]}"
