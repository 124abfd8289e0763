"""The signed acknowledgement page behind the link on a DingTalk/WeCom alarm card. No sign-in:
the signed token is the proof. GET only shows (chat apps fetch links to preview them, and a
preview must not acknowledge anything); the button POSTs."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from shouwang.core.errors import NotFound
from shouwang.devices.links import ack_link_notice_id
from shouwang.devices.models import ContactNotice
from shouwang.devices.services.responses import notice_acknowledge_by_link


def _notice(token: str) -> ContactNotice:
    notice_id = ack_link_notice_id(token)
    notice = (
        ContactNotice.objects.select_related("incident", "incident__premises", "person", "unit")
        .filter(pk=notice_id)
        .first()
        if notice_id is not None
        else None
    )
    if notice is None:
        raise NotFound()
    return notice


@require_http_methods(["GET", "POST"])
def ack_link(request: HttpRequest, token: str) -> HttpResponse:
    notice = _notice(token)
    just_acked = False
    if request.method == "POST" and notice.acked_at is None:
        notice = notice_acknowledge_by_link(notice_id=notice.pk)
        just_acked = True
    alarms = notice.incident.alarms.select_related("device", "device__room").order_by("received_at")
    context = {
        "notice": notice,
        "incident": notice.incident,
        "alarms": alarms,
        "just_acked": just_acked,
    }
    return render(request, "devices/ack_link.html", context)
