"""The push endpoints. Machine to machine: no session or token (auth=None) and no CSRF — each
format authenticates the message itself. Every answer is quick: alarms are committed before it
(one by one), heartbeats only enter the buffer. Refusals are 4xx in the project's error shape,
counted and logged; a full heartbeat buffer is 503 with Retry-After (the platforms re-send)."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from shouwang.core.services.audit import client_ip
from shouwang.devices.ingest import stats
from shouwang.devices.ingest.pipeline import IngestOutcome, ingest
from shouwang.devices.ingest.readings import Reading
from shouwang.devices.models import Platform, PushSubscription
from shouwang.devices.push.ctwing import ctwing_readings, ctwing_subscription
from shouwang.devices.push.errors import PushRefused
from shouwang.devices.push.generic import generic_readings
from shouwang.devices.push.onenet import onenet_check, onenet_readings

logger = logging.getLogger(__name__)
push_router = Router(tags=["device push"])
RETRY_AFTER_SECONDS = 5


def _error(
    request: HttpRequest, status: int, code: str, message: str, extra: dict[str, Any]
) -> HttpResponse:
    from shouwang.api import error_response

    return error_response(request, status, code, message, extra)


def _answer(
    request: HttpRequest, source: str, read: Callable[[datetime], list[Reading]]
) -> HttpResponse:
    try:
        outcome = ingest(read(timezone.now()))
    except PushRefused as exc:
        stats.count(f"refused.{source}.{exc.code}")
        logger.warning(
            "device push refused",
            extra={"source": source, "code": exc.code, "ip": client_ip(request)},
        )
        return _error(request, exc.status, exc.code, str(exc.message), exc.extra)
    stats.count(f"accepted.{source}")
    if outcome.overloaded:
        stats.count(f"overloaded.{source}")
        response = _error(request, 503, "overloaded", _("系统繁忙，请稍后重发。"), {})
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _accepted(request, outcome)


def _accepted(request: HttpRequest, outcome: IngestOutcome) -> HttpResponse:
    from shouwang.api import api

    body = {
        "accepted": outcome.readings - outcome.unknown_devices,
        "alarms": outcome.alarm_ids or [],
        "new_alarms": outcome.alarms,
        "duplicate_alarms": outcome.duplicate_alarms,
        "unknown_devices": outcome.unknown_devices,
    }
    return api.create_response(request, body, status=200)


@push_router.post("/generic", auth=None)
def push_generic(request: HttpRequest) -> HttpResponse:
    """Our signed JSON format (see devices/push/generic.py and devices/README.md)."""
    body = request.body
    return _answer(
        request,
        "generic",
        lambda now: generic_readings(headers=request.headers, body=body, now=now),
    )


def _onenet(code: str) -> PushSubscription | None:
    return PushSubscription.objects.filter(
        code=code, platform=Platform.ONENET, is_active=True
    ).first()


@push_router.get("/onenet/{code}", auth=None)
def onenet_verify(
    request: HttpRequest, code: str, msg: str = "", nonce: str = "", signature: str = ""
) -> HttpResponse:
    """OneNET's URL verification: answers `msg` when the signature checks out."""
    subscription = _onenet(code)
    if subscription is None:
        stats.count("refused.onenet.not_found")
        return _error(request, 404, "not_found", _("找不到该推送订阅。"), {})
    try:
        onenet_check(subscription=subscription, msg=msg, nonce=nonce, signature=signature)
    except PushRefused as exc:
        stats.count(f"refused.onenet.{exc.code}")
        return _error(request, exc.status, exc.code, str(exc.message), exc.extra)
    return HttpResponse(msg, content_type="text/plain; charset=utf-8")


@push_router.post("/onenet/{code}", auth=None)
def push_onenet(request: HttpRequest, code: str) -> HttpResponse:
    """OneNET data push, legacy or thing-model `msg` (devices/push/onenet.py)."""
    subscription = _onenet(code)
    if subscription is None:
        stats.count("refused.onenet.not_found")
        return _error(request, 404, "not_found", _("找不到该推送订阅。"), {})
    body = request.body
    return _answer(
        request,
        "onenet",
        lambda now: onenet_readings(subscription=subscription, body=body, now=now),
    )


@push_router.post("/ctwing/{secret}", auth=None)
def push_ctwing(request: HttpRequest, secret: str) -> HttpResponse:
    """CTWing subscription push; the URL's secret authenticates it (devices/push/ctwing.py)."""
    body, source_ip = request.body, client_ip(request)

    def read(now: datetime) -> list[Reading]:
        ctwing_subscription(secret=secret, source_ip=source_ip)
        return ctwing_readings(body=body, now=now)

    return _answer(request, "ctwing", read)
