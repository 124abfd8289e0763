"""CAP 1.2 out: `GET /api/v1/cap/alerts.xml` (Atom feed) and
`GET /api/v1/cap/alerts/{identifier}.xml` (one CAP document). Public alerts are open to anyone;
restricted ones need a bearer token (or a session) whose jurisdiction holds the alert."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from shouwang.core.models import User
from shouwang.core.services.tokens import token_authenticate
from shouwang.devices.cap import selectors
from shouwang.devices.cap.feed import cap_feed
from shouwang.devices.cap.xml import cap_document

cap_router = Router(tags=["cap"])


def _reader(request: HttpRequest) -> User | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return token_authenticate(token=header[7:].strip())
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _unauthorized(request: HttpRequest) -> HttpResponse:
    from shouwang.api import error_response

    response = error_response(request, 401, "unauthorized", _("需要登录或有效的 API 令牌。"), {})
    response["WWW-Authenticate"] = "Bearer"
    return response


@cap_router.get("/alerts.xml", auth=None)
def alerts_feed(request: HttpRequest) -> HttpResponse:
    """Current alerts as an Atom feed; restricted ones only for token holders in scope."""
    alerts = selectors.cap_alerts_current(user=_reader(request))
    feed_url = request.build_absolute_uri(request.path)
    alert_url = feed_url.removesuffix("alerts.xml") + "alerts/{identifier}.xml"
    body = cap_feed(alerts=alerts, feed_url=feed_url, alert_url=alert_url)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@cap_router.get("/alerts/{identifier}.xml", auth=None)
def alert_document(request: HttpRequest, identifier: str) -> HttpResponse:
    """One CAP 1.2 document."""
    reader = _reader(request)
    if reader is None and selectors.cap_alert_is_restricted(identifier=identifier):
        return _unauthorized(request)
    alert = selectors.cap_alert_get(user=reader, identifier=identifier)
    return HttpResponse(cap_document(alert), content_type="application/cap+xml; charset=utf-8")
