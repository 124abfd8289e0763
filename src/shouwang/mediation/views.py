"""Pages of the mediation app: the file list and a file's page with its step forms, a
mediator's phone page for today, the figures, and the risk alerts of an area. Thin: parse the
form, call a service, redirect with a message; domain errors come back as a message."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from shouwang.cases import feeders
from shouwang.core.errors import ApplicationError, InvalidInput
from shouwang.core.models import Unit, UnitKind, User
from shouwang.core.roles import MEDIATION_WRITER_ROLES
from shouwang.core.selectors import node_get
from shouwang.mediation import alerts, figures, selectors, services
from shouwang.mediation.models import (
    FileState,
    FollowUpMethod,
    FollowUpOutcome,
    PartyRole,
    Referral,
)
from shouwang.mediation.risk import BEIJING

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _money(value: str, field: str) -> Decimal:
    try:
        return Decimal(value.strip() or "0").quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise InvalidInput(_("金额格式不正确。"), extra={"field": field}) from exc


def _when(value: str) -> datetime:
    parsed = parse_datetime(value.strip()) if value.strip() else None
    if parsed is None:
        return timezone.now()
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def _day(value: str) -> date:
    parsed = parse_date(value.strip())
    if parsed is None:
        raise InvalidInput(_("日期格式不正确。"), extra={"field": "due"})
    return parsed


@login_required
def file_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state, studio, search = (request.GET.get(k) or None for k in ("state", "studio", "q"))
    files = selectors.files_list(user=user, state=state, studio=studio, search=search)
    page = Paginator(files, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/list.html",
        {
            "page": page,
            "states": FileState.choices,
            "filters": {"state": state or "", "studio": studio or "", "q": search or ""},
            "query": request.GET.urlencode(),
        },
    )


@login_required
def file_export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    files = selectors.files_list(
        user=user, state=request.GET.get("state") or None, studio=request.GET.get("studio")
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            _("案卷"),
            _("事件编号"),
            _("调解工作室"),
            _("纠纷类型"),
            _("状态"),
            _("涉及金额"),
            _("受理时间"),
            _("调解期限"),
        ]
    )
    for f in files[:5000]:
        sheet.append(
            [
                f.pk,
                f.case.number or "",
                f.studio.name,
                f.dispute_type,
                str(f.get_state_display()),
                float(f.amount_in_dispute),
                f.accepted_at.astimezone(BEIJING).replace(tzinfo=None),
                f.deadline.astimezone(BEIJING).replace(tzinfo=None),
            ]
        )
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mediation.xlsx"'
    return response


@login_required
def file_detail(request: HttpRequest, file_id: int) -> HttpResponse:
    from shouwang.mediation.api import file_out

    file = selectors.file_get(user=_user(request), file_id=file_id)
    return render(
        request,
        "mediation/file.html",
        {
            "file": file,
            "out": file_out(file),
            "referrals": [c for c in Referral.choices if c[0]],
            "roles": PartyRole.choices,
            "can_write": _user(request).role in MEDIATION_WRITER_ROLES,
            "today": timezone.now().astimezone(BEIJING).date().isoformat(),
        },
    )


def _session(request: HttpRequest, user: User, file_id: int) -> str:
    services.session_record(
        actor=user,
        file_id=file_id,
        at=_when(request.POST.get("at", "")),
        place=request.POST.get("place", ""),
        record=request.POST.get("record", ""),
        attendees=request.POST.get("attendees", ""),
        next_steps=request.POST.get("next_steps", ""),
        online=bool(request.POST.get("online")),
    )
    return _("调解记录已保存。")


def _agreement(request: HttpRequest, user: User, file_id: int) -> str:
    obligations = [
        services.ObligationIn(
            debtor=debtor,
            amount=_money(amount, "amount"),
            due=_day(due),
            how=how,
            where=where,
        )
        for debtor, amount, due, how, where in zip(
            request.POST.getlist("debtor"),
            request.POST.getlist("amount"),
            request.POST.getlist("due"),
            request.POST.getlist("how"),
            request.POST.getlist("where"),
            strict=False,
        )
        if amount.strip()
    ]
    services.agreement_make(
        actor=user,
        file_id=file_id,
        obligations=obligations,
        facts=request.POST.get("facts", ""),
        responsibilities=request.POST.get("responsibilities", ""),
    )
    return _("调解协议已登记。")


def _payment(request: HttpRequest, user: User, file_id: int) -> str:
    services.payment_record(
        actor=user,
        file_id=file_id,
        obligation_id=int(request.POST.get("obligation") or 0),
        amount=_money(request.POST.get("amount", ""), "amount"),
        at=_when(request.POST.get("at", "")),
        proof=request.POST.get("proof", ""),
    )
    return _("履行记录已保存。")


def _extend(request: HttpRequest, user: User, file_id: int) -> str:
    services.mediation_extend(actor=user, file_id=file_id, reason=request.POST.get("reason", ""))
    return _("调解期限已延长30日。")


def _fail(request: HttpRequest, user: User, file_id: int) -> str:
    services.mediation_fail(
        actor=user,
        file_id=file_id,
        referral=request.POST.get("referral", ""),
        reason=request.POST.get("reason", ""),
    )
    return _("已记录调解不成及去向。")


def _callback(request: HttpRequest, user: User, file_id: int) -> str:
    services.callback_record(
        actor=user,
        file_id=file_id,
        party_id=int(request.POST.get("party") or 0),
        satisfied=request.POST.get("satisfied") == "1",
        note=request.POST.get("note", ""),
    )
    return _("回访已记录。")


STEPS: dict[str, Callable[[HttpRequest, User, int], str]] = {
    "session": _session,
    "agreement": _agreement,
    "payment": _payment,
    "extend": _extend,
    "fail": _fail,
    "callback": _callback,
}


@login_required
@require_POST
def file_step(request: HttpRequest, file_id: int, step: str) -> HttpResponse:
    user = _user(request)
    selectors.file_get(user=user, file_id=file_id)  # 404 before anything else
    handler = STEPS.get(step)
    if handler is None:
        raise InvalidInput()
    try:
        messages.success(request, handler(request, user, file_id))
    except (ApplicationError, ValueError) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    return redirect("mediation-file", file_id=file_id)


@login_required
def file_new_lookup(request: HttpRequest) -> HttpResponse:
    """From the list page: a case's number (or id) to the form that accepts it."""
    wanted = request.GET.get("case", "").strip()
    visible = feeders.Case.objects.filter(feeders.cases_visible_q(_user(request)))
    case = visible.filter(number=wanted).first()
    if case is None and wanted.isdigit():
        case = visible.filter(pk=int(wanted)).first()
    if case is None:
        messages.error(request, _("找不到该事件，或不在您的辖区内。"))
        return redirect("mediation-list")
    return redirect("mediation-new", case_id=case.pk)


@login_required
def file_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """Accepts a dispute case into a studio: the studio, the two parties and the amount."""
    user = _user(request)
    case = feeders.case_visible(user=user, case_id=case_id)
    studios = Unit.objects.filter(kind=UnitKind.MEDIATION_STUDIO, is_active=True).order_by("code")
    if request.method == "POST":
        parties = [
            services.PartyIn(name=name, phone=phone, role=role)
            for name, phone, role in zip(
                request.POST.getlist("name"),
                request.POST.getlist("phone"),
                request.POST.getlist("role"),
                strict=False,
            )
            if name.strip()
        ]
        try:
            file = services.mediation_open(
                actor=user,
                case_id=case.pk,
                studio_code=request.POST.get("studio", ""),
                parties=parties,
                amount_in_dispute=_money(request.POST.get("amount_in_dispute", ""), "amount"),
                claims=request.POST.get("claims", ""),
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已受理调解。"))
            return redirect("mediation-file", file_id=file.pk)
    return render(
        request, "mediation/new.html", {"case": case, "studios": studios, "own": user.unit_id}
    )


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """A mediator's phone page: today's sessions and the files still running."""
    user = _user(request)
    day = timezone.now().astimezone(BEIJING).date()
    running = selectors.files_list(user=user).filter(
        state__in=[FileState.ACCEPTED, FileState.MEDIATING, FileState.AGREED]
    )
    return render(
        request,
        "mediation/today.html",
        {
            "sessions": selectors.sessions_on(user=user, day=day),
            "files": running.prefetch_related("parties", "agreement__obligations__debtor")[:30],
            "day": day,
        },
    )


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    data = figures.mediation_figures(user=user)
    groups: list[tuple[str, list[dict[str, Any]]]] = [
        (_("按调解工作室"), data["by_studio"]),
        (_("按调解员"), data["by_mediator"]),
        (_("按镇街"), data["by_town"]),
        (_("按纠纷类型"), data["by_type"]),
    ]
    for _label, rows in [("", [data["totals"]]), *groups]:
        for row in rows:
            row["success_pct"] = _percent(row["success_rate"])
            row["on_time_pct"] = _percent(row["on_time_rate"])
    risk = figures.risk_figures(user=user)
    risk["on_time_pct"] = _percent(risk["on_time_rate"])
    return render(
        request,
        "mediation/figures.html",
        {"totals": data["totals"], "groups": groups, "risk": risk},
    )


def _kpi_period(request: HttpRequest, user: User) -> figures.Period:
    """The KPI page's own filter (`since`, `until` as whole Beijing days, `node`)."""
    since = parse_date(request.GET.get("since", "") or "")
    until = parse_date(request.GET.get("until", "") or "")
    node_code = request.GET.get("node")
    return figures.Period(
        since=datetime.combine(since, time.min, tzinfo=BEIJING) if since else None,
        until=datetime.combine(until + timedelta(days=1), time.min, tzinfo=BEIJING)
        if until
        else None,
        node=node_get(user=user, code=node_code) if node_code else None,
    )


@login_required
def kpi_section(request: HttpRequest) -> HttpResponse:
    """The mediation section of the KPI page (/kpi/), loaded into it by htmx with the page's
    own period and node, so insight need not know this app."""
    user = _user(request)
    period = _kpi_period(request, user)
    data = figures.mediation_figures(user=user, period=period)
    rows = [data["totals"], *data["by_town"], *data["by_studio"]]
    for row in rows:
        row["success_pct"] = _percent(row["success_rate"])
        row["on_time_pct"] = _percent(row["on_time_rate"])
    risk = figures.risk_figures(user=user, period=period)
    risk["on_time_pct"] = _percent(risk["on_time_rate"])
    return render(
        request,
        "mediation/_kpi.html",
        {"totals": data["totals"], "studios": data["by_studio"], "risk": risk},
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """Open risk alerts of the user's area (all with ?state=), with their follow-up state."""
    user = _user(request)
    state = request.GET.get("state", "open")
    alerts_qs = selectors.alerts_list(user=user, state=state or None)
    page = Paginator(alerts_qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/alerts.html",
        {
            "page": page,
            "state": state,
            "outcomes": FollowUpOutcome.choices,
            "methods": FollowUpMethod.choices,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def alert_follow_up(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _user(request)
    try:
        alerts.alert_follow_up(
            actor=user,
            alert_id=alert_id,
            outcome=request.POST.get("outcome", ""),
            method=request.POST.get("method", FollowUpMethod.VISIT),
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("跟进已记录。"))
    return redirect("risk-alerts")
