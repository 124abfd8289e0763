"""Pages of the inspections app. The QR safety page is public (no login, no personal data, no
hazard details); the phone pages are the inspector's and the landlord's. The phone pages post
to the JSON API from static JS (a draft survives a dropped connection in localStorage)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shouwang.core.models import User
from shouwang.inspections import selectors
from shouwang.inspections.services.outreach import notice_read
from shouwang.inspections.workbook import hazards_workbook
from shouwang.places.selectors import premises_by_qr_token, premises_get, premises_list


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_GET
def qr_page(request: HttpRequest, token: str) -> HttpResponse:
    premises = premises_by_qr_token(token=token)
    card = selectors.public_safety_card(premises=premises)
    report = {"address": premises.address, "premises": premises.code}
    if premises.lat is not None and premises.lng is not None:
        report |= {"lat": f"{premises.lat:.6f}", "lng": f"{premises.lng:.6f}"}
    context = {
        "card": card,
        "star_range": range(1, 6),
        "report_url": "/report/?" + urlencode(report),
    }
    response = render(request, "inspections/qr.html", context)
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
@require_GET
@never_cache
def field_premises(request: HttpRequest) -> HttpResponse:
    """The premises of the user's area (a landlord: their own), searchable, with stars."""
    search = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "").strip()[:20]
    premises = premises_list(user=_user(request), kind=kind or None, search=search or None)
    page = Paginator(premises, 30).get_page(request.GET.get("page"))
    context = {"page": page, "q": search, "kind": kind}
    return render(request, "inspections/field_premises.html", context)


@login_required
@require_GET
@never_cache
def field_inspect(request: HttpRequest, code: str) -> HttpResponse:
    """Runs a checklist on one premises: one card per item, pass/fail, note and photo."""
    premises = premises_get(user=_user(request), code=code)
    templates = list(selectors.templates_list(kind=premises.kind))
    chosen = request.GET.get("template", "")
    template = next((t for t in templates if t.code == chosen), templates[0] if templates else None)
    context = {
        "premises": premises,
        "templates": templates,
        "template": template,
        "texts": {
            "saved": _("草稿已保存在本机。"),
            "offline": _("网络不通：草稿已保存在本机，恢复网络后会自动提交。"),
            "sending": _("正在提交…"),
            "sent": _("已提交。发现隐患：%(n)s 项。"),
            "missing": _("还有检查项未作答。"),
            "failed": _("提交被拒绝："),
        },
    }
    return render(request, "inspections/field_inspect.html", context)


@login_required
@require_GET
@never_cache
def field_hazards(request: HttpRequest) -> HttpResponse:
    """Hazards the user may see: to rectify (landlord), to re-inspect (inspector)."""
    status = request.GET.get("status", "").strip()[:24]
    hazards = selectors.hazards_list(user=_user(request), status=status or None)
    page = Paginator(hazards.select_related("responsible"), 30).get_page(request.GET.get("page"))
    return render(request, "inspections/field_hazards.html", {"page": page, "status": status})


@login_required
@require_GET
@never_cache
def field_notices(request: HttpRequest) -> HttpResponse:
    """Publicity notices for the user's area (volunteers' and landlords' home)."""
    page = Paginator(selectors.notices_list(user=_user(request)), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "inspections/field_notices.html", {"page": page})


@login_required
@require_POST
def field_notice_read(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice_read(actor=_user(request), notice_id=notice_id)
    return redirect("inspections-notices")


@login_required
@require_GET
def field_hazards_export(request: HttpRequest) -> HttpResponse:
    """The hazards the user may see (filtered by status like the list) as an Excel ledger."""
    status = request.GET.get("status", "").strip()[:24]
    hazards = selectors.hazards_list(user=_user(request), status=status or None)
    content = hazards_workbook(hazards.select_related("responsible").iterator(chunk_size=2000))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="hazards.xlsx"'
    return response
