"""The notify pages: dead letters (messages that ran out of attempts) for the command room of
their jurisdiction, with the error and a re-send button (ARCHITECTURE.md, durability rule 2:
dead letters are visible in the UI). Thin: the selector scopes and checks, the service re-sends
and audits."""

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import get_default_timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from shouwang.core.errors import IllegalTransition
from shouwang.core.models import User
from shouwang.notify.models import Channel, OutboxMessage
from shouwang.notify.selectors import dead_letters_list
from shouwang.notify.services import outbox_resend

PAGE_SIZE = 50
SHANGHAI = get_default_timezone()  # settings.TIME_ZONE


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


class DeadLetterFilters(forms.Form):
    channel = forms.ChoiceField(
        required=False, choices=[("", gettext_lazy("全部渠道")), *Channel.choices]
    )
    recipient = forms.CharField(required=False, max_length=200)
    since = forms.DateField(
        required=False, error_messages={"invalid": gettext_lazy("请输入有效的开始日期。")}
    )
    until = forms.DateField(
        required=False, error_messages={"invalid": gettext_lazy("请输入有效的结束日期。")}
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(gettext_lazy("开始日期不能晚于结束日期。"))
        return data


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def summary(message: OutboxMessage) -> str:
    """One line saying what the message was about: its type and case, or a robot's title."""
    payload = message.payload if isinstance(message.payload, dict) else {}
    case = payload.get("case") if isinstance(payload.get("case"), dict) else {}
    parts = [str(payload.get("type") or payload.get("title") or "")]
    if case and case.get("number"):
        parts.append(str(case["number"]))
    if not any(parts) and payload.get("text"):
        parts.append(str(payload["text"]))
    return " · ".join(p for p in parts if p)[:120]


@login_required
@require_GET
def dead_letters(request: HttpRequest) -> HttpResponse:
    """Dead letters of the user's jurisdiction, the latest failure first, by channel, recipient
    and day of failure (Asia/Shanghai)."""
    user = _user(request)
    filters = DeadLetterFilters(request.GET)
    if not filters.is_valid():
        dead_letters_list(user=user)  # the permission check, before saying anything else
        context = {"filters": filters, "page": None}
        return render(request, "notify/dead_letters.html", context, status=400)
    data = filters.cleaned_data
    letters = dead_letters_list(
        user=user, channel=data["channel"] or None, recipient=data["recipient"] or None
    )
    # The failure time: a message's next attempt is stamped with the moment it went dead.
    if data["since"]:
        letters = letters.filter(next_attempt_at__gte=_day_start(data["since"]))
    if data["until"]:
        letters = letters.filter(next_attempt_at__lt=_day_start(data["until"]) + timedelta(days=1))
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    for message in page.object_list:
        message.summary = summary(message)  # type: ignore[attr-defined]
    return render(request, "notify/dead_letters.html", {"filters": filters, "page": page})


@login_required
@require_POST
def dead_letter_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    """Back in the queue with fresh attempts (audited). htmx gets the row as it now is."""
    user = _user(request)
    try:
        message = outbox_resend(actor=user, message_id=message_id, request=request)
    except IllegalTransition as exc:
        if not _htmx(request):
            messages.error(request, str(exc.message))
            return _back(request)
        # Someone re-sent it first, or it was delivered meanwhile: say so in its row.
        context = {"message_id": message_id, "error": str(exc.message)}
        return render(request, "notify/_dead_letter_row.html", context, status=exc.status)
    if not _htmx(request):
        messages.success(request, _("已重新排队发送。"))
        return _back(request)
    message.summary = summary(message)  # type: ignore[attr-defined]
    context = {"message": message, "message_id": message.pk, "resent": True}
    return render(request, "notify/_dead_letter_row.html", context)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=False):
        back = reverse("notify-dead-letters")
    return HttpResponseRedirect(back, status=303)
