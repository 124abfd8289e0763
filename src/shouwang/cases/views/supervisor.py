"""The supervisor pages: the verification queue (核查, then 结案) and the callback queue (回访).

Thin, as every page is: parse, check, call one lifecycle service, render. An action answers htmx
with the queue item as it now is — or with nothing when the case leaves the queue — and a status
line swapped out of band; without JavaScript the same forms post and redirect back with a
message. Bad input saves nothing and comes back with the reason beside the field."""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from shouwang.cases import services
from shouwang.cases.models import CallbackResult, Case
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.selectors.cases import caller_visible
from shouwang.cases.selectors.categories import categories_list
from shouwang.cases.selectors.supervisor import (
    callback_queue,
    callback_satisfaction,
    supervised_case_get,
    supervised_nodes,
    supervisor_check,
    verification_counts,
    verification_queue,
)
from shouwang.core.errors import IllegalTransition, InvalidInput, PermissionDeniedError
from shouwang.core.models import User
from shouwang.core.services.pii import pii_reveal

PAGE_SIZE = 20
PERIOD_DAYS = (7, 14, 30, 90)
DEFAULT_PERIOD_DAYS = 14


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


class QueueFilters(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    category = forms.CharField(required=False, max_length=64)
    node = forms.CharField(required=False, max_length=15)
    stage = forms.ChoiceField(
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            ("verify", gettext_lazy("待核查")),
            ("close", gettext_lazy("待结案")),
        ],
    )

    def value(self, name: str) -> str:
        return str(self.cleaned_data.get(name) or "") if self.is_valid() else ""


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        strip=True,
        error_messages={
            "required": gettext_lazy("请填写退回原因。"),
            "max_length": gettext_lazy("退回原因不能超过 500 字。"),
        },
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=1000,
        error_messages={"max_length": gettext_lazy("说明不能超过 1000 字。")},
    )


class CallbackForm(forms.Form):
    result = forms.ChoiceField(
        choices=CallbackResult.choices,
        error_messages={
            "required": gettext_lazy("请选择回访结果。"),
            "invalid_choice": gettext_lazy("请选择回访结果。"),
        },
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        error_messages={"max_length": gettext_lazy("回访记录不能超过 1000 字。")},
    )


def _valid(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or InvalidInput with its first error (nothing is saved)."""
    if form.is_valid():
        return form.cleaned_data
    field, errors = next(iter(form.errors.items()))
    raise InvalidInput(str(errors[0]), extra={"field": field})


def _page(request: HttpRequest, cases: QuerySet[Case]) -> Page[Case]:
    return Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))


def _queue_context(request: HttpRequest, user: User) -> dict[str, Any]:
    filters = QueueFilters(request.GET)
    return {
        "filters": filters,
        "query": {name: filters.value(name) for name in ("q", "category", "node", "stage")},
        "categories": categories_list(),
        "nodes": supervised_nodes(user=user),
    }


# --- verification queue -----------------------------------------------------------------


@login_required
@require_GET
def verify_queue(request: HttpRequest) -> HttpResponse:
    """Resolved cases awaiting 核查 and verified ones awaiting 结案, longest waiting first."""
    user = _user(request)
    context = _queue_context(request, user)
    query = context["query"]
    cases = verification_queue(
        user=user,
        stage=query["stage"],
        category=query["category"],
        node_code=query["node"],
        search=query["q"],
    )
    context |= {"page": _page(request, cases), "counts": verification_counts(user=user)}
    if _htmx(request) and request.headers.get("HX-Target") == "queue":
        return render(request, "cases/supervisor/_verify_list.html", context)
    return render(request, "cases/supervisor/verify.html", context)


@login_required
@require_GET
def verify_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """The panel beside the queue: the resolution, the photos and the whole timeline."""
    case = supervised_case_get(user=_user(request), case_id=case_id)
    template = (
        "cases/supervisor/_case_panel.html" if _htmx(request) else "cases/supervisor/case.html"
    )
    return render(request, template, {"case": case})


def _verify_item(user: User, case_id: int) -> Case | None:
    return verification_queue(user=user).filter(pk=case_id).first()


def _answer(
    request: HttpRequest,
    *,
    item: Callable[[], Case | None],
    template: str,
    queue: str,
    message: str,
    level: str = "success",
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """htmx: the item as it now is (nothing when it left the queue) and the status line;
    otherwise back to the queue (`queue`, a URL name) with the message."""
    if not _htmx(request):
        getattr(messages, level)(request, message)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=False):
            back = reverse(queue)
        return HttpResponseRedirect(back, status=303)
    context = {
        "case": item(),
        "message": message,
        "level": level,
        "next_url": request.POST.get("next", ""),
        **(extra or {}),
    }
    if queue == "supervise-verify":
        context["counts"] = verification_counts(user=_user(request))
    else:
        context["waiting"] = callback_queue(user=_user(request)).count()
    return render(request, template, context, status=status)


def _verify_action(
    request: HttpRequest, case_id: int, act: Callable[[User, Case], object], done: str
) -> HttpResponse:
    user = _user(request)
    supervisor_check(user)
    case = supervised_case_get(user=user, case_id=case_id, detail=False)
    number = case.number or f"#{case.pk}"
    try:
        act(user, case)
    except (InvalidInput, IllegalTransition) as exc:
        return _answer(
            request,
            item=lambda: _verify_item(user, case_id),
            template="cases/supervisor/_verify_item.html",
            queue="supervise-verify",
            message=str(exc.message),
            level="error",
            status=exc.status,
            extra={
                "error": str(exc.message),
                "rejecting": isinstance(exc, InvalidInput),
                "reason": request.POST.get("reason", ""),
            },
        )
    return _answer(
        request,
        item=lambda: _verify_item(user, case_id),
        template="cases/supervisor/_verify_item.html",
        queue="supervise-verify",
        message=done % {"number": number},
    )


@login_required
@require_POST
def verify_approve(request: HttpRequest, case_id: int) -> HttpResponse:
    form = NoteForm(request.POST)
    return _verify_action(
        request,
        case_id,
        lambda user, case: services.case_verify(actor=user, case=case, note=_valid(form)["note"]),
        _("%(number)s 核查通过，待结案。"),
    )


@login_required
@require_POST
def verify_reject(request: HttpRequest, case_id: int) -> HttpResponse:
    form = RejectForm(request.POST)

    return _verify_action(
        request,
        case_id,
        lambda user, case: services.case_reject(
            actor=user, case=case, reason=_valid(form)["reason"]
        ),
        _("%(number)s 核查不通过，已退回原处置人员重新处置。"),
    )


@login_required
@require_POST
def verify_close(request: HttpRequest, case_id: int) -> HttpResponse:
    form = NoteForm(request.POST)
    return _verify_action(
        request,
        case_id,
        lambda user, case: services.case_close(actor=user, case=case, note=_valid(form)["note"]),
        _("%(number)s 已结案，转入回访。"),
    )


# --- callback queue ---------------------------------------------------------------------


def _period(days: int) -> tuple[datetime, datetime]:
    """The last `days` Asia/Shanghai days, today included."""
    today = timezone.now().astimezone(SHANGHAI).date()
    start = today - timedelta(days=days - 1)
    since = datetime(start.year, start.month, start.day, tzinfo=SHANGHAI)
    until = datetime(today.year, today.month, today.day, tzinfo=SHANGHAI) + timedelta(days=1)
    return since, until


def _period_days(request: HttpRequest) -> int:
    raw = request.GET.get("days", "")
    return int(raw) if raw.isdigit() and int(raw) in PERIOD_DAYS else DEFAULT_PERIOD_DAYS


@login_required
@require_GET
def callbacks_queue(request: HttpRequest) -> HttpResponse:
    """Closed cases awaiting their satisfaction callback, oldest closure first, under the
    satisfaction rate of the period."""
    user = _user(request)
    context = _queue_context(request, user)
    query = context["query"]
    days = _period_days(request)
    since, until = _period(days)
    cases = callback_queue(
        user=user, category=query["category"], node_code=query["node"], search=query["q"]
    )
    page = _page(request, cases)
    _mark_caller_visibility(user, page.object_list)
    satisfaction = callback_satisfaction(user=user, since=since, until=until)
    rate = satisfaction["rate"]
    context |= {
        "page": page,
        "days": days,
        "period_days": PERIOD_DAYS,
        "since": since,
        "until": until - timedelta(days=1),
        "satisfaction": {**satisfaction, "percent": None if rate is None else rate * 100},
        "waiting": cases.count(),
    }
    if _htmx(request) and request.headers.get("HX-Target") == "queue":
        return render(request, "cases/supervisor/_callback_list.html", context)
    return render(request, "cases/supervisor/callbacks.html", context)


def _mark_caller_visibility(user: User, cases: Iterable[Case]) -> None:
    """Whether each case's caller may be shown (GB/T 33358 confidentiality), for the template."""
    for case in cases:
        case.show_caller = caller_visible(user=user, case=case)  # type: ignore[attr-defined]


def _callback_item(user: User, case_id: int) -> Case | None:
    case = callback_queue(user=user).filter(pk=case_id).first()
    if case is not None:
        _mark_caller_visibility(user, [case])
    return case


DONE_MESSAGES = {
    CallbackResult.SATISFIED: gettext_lazy("%(number)s 已回访：满意。"),
    CallbackResult.UNREACHABLE: gettext_lazy("%(number)s 已回访：未能联系。"),
    CallbackResult.UNSATISFIED: gettext_lazy(
        "%(number)s 已回访：不满意。事件已重新启用，回到指挥中心待派单。"
    ),
}


@login_required
@require_POST
def callback_record(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    supervisor_check(user)
    case = supervised_case_get(user=user, case_id=case_id, detail=False)
    form = CallbackForm(request.POST)
    number = case.number or f"#{case.pk}"
    try:
        data = _valid(form)
        result = CallbackResult(data["result"])
        services.callback_record(actor=user, case=case, result=result, note=data["note"])
    except (InvalidInput, IllegalTransition) as exc:
        return _answer(
            request,
            item=lambda: _callback_item(user, case_id),
            template="cases/supervisor/_callback_item.html",
            queue="supervise-callbacks",
            message=str(exc.message),
            level="error",
            status=exc.status,
            extra={"error": str(exc.message), "note": request.POST.get("note", "")},
        )
    return _answer(
        request,
        item=lambda: None,
        template="cases/supervisor/_callback_item.html",
        queue="supervise-callbacks",
        message=str(DONE_MESSAGES[result]) % {"number": number},
        level="warning" if result == CallbackResult.UNSATISFIED else "success",
    )


@login_required
@require_POST
def callback_caller(request: HttpRequest, case_id: int) -> HttpResponse:
    """The caller's full number, to ring them back: needs the reveal permission and sight of
    the caller (a confidential 12345 caller stays hidden outside the command room); audited."""
    user = _user(request)
    supervisor_check(user)
    case = supervised_case_get(user=user, case_id=case_id, detail=False)
    if not caller_visible(user=user, case=case):
        raise PermissionDeniedError(_("来电人要求保密。"))
    phone = pii_reveal(actor=user, instance=case, field="caller_phone", request=request)
    return render(request, "cases/supervisor/_caller.html", {"phone": phone})
