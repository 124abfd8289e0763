"""The citizen's and volunteer's pages, open to anyone: report a matter (/report/), the receipt,
and the tracking page by receipt code (/track/<code>/) where a closed case may be rated. They
show nobody's personal data: the tracking page gives states and times only, and the receipt code
is the only credential. Anonymous reports are limited per address (Django cache) and answered
429 past the limit; CSRF protection stays on for everyone."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouwang.cases.models import CallbackResult, Category, TimelineKind
from shouwang.cases.selectors.cases import case_track, receipt_code_clean
from shouwang.cases.selectors.field import (
    city_outline,
    report_categories,
    report_category,
    track_rating,
)
from shouwang.cases.services.attachments import max_upload_bytes
from shouwang.cases.services.citizen import (
    RATING_NOTE_MAX,
    REPORT_DESCRIPTION_MAX,
    citizen_callback_record,
    citizen_report,
)
from shouwang.core.errors import ApplicationError, InvalidInput, NotFound
from shouwang.core.models import User
from shouwang.core.ratelimit import rate_count, rate_used
from shouwang.core.services.audit import client_ip

# The picture on each category's tile (a symbol of cases/public/_icons.svg); a category without
# its own falls back to its group's.
CATEGORY_ICONS = {
    "public_order": "shield",
    "fight": "alert",
    "theft": "bag",
    "robbery": "bag",
    "fraud": "phone",
    "domestic_violence": "home",
    "disturbance": "alert",
    "gambling": "dice",
    "missing_person": "person",
    "suspicious": "eye",
    "traffic": "car",
    "fire_rescue": "flame",
    "fire": "flame",
    "gas_leak": "gas",
    "rescue": "buoy",
    "city_management": "building",
    "noise": "speaker",
    "street_vending": "cart",
    "illegal_construction": "building",
    "garbage": "trash",
    "safety_hazard": "warning",
    "ebike_charging": "bolt",
    "rental_fire_hazard": "home",
    "gas_cylinder_hazard": "gas",
    "disputes": "people",
    "public_facilities": "lamp",
    "utility_outage": "bolt",
    "consultation": "question",
}
GROUP_COLOURS = {
    "public_order": "#1f4e8c",
    "traffic": "#0f7b7b",
    "fire_rescue": "#c62828",
    "city_management": "#2e7d32",
    "safety_hazard": "#b26a00",
    "disputes": "#6a3d9a",
    "public_facilities": "#455a64",
}
DEFAULT_COLOUR = "#667085"


def _icon(category: Category) -> str:
    for code in (category.code, category.parent.code if category.parent else ""):
        if code in CATEGORY_ICONS:
            return CATEGORY_ICONS[code]
    return "pin"


def _tiles() -> list[dict[str, Any]]:
    return [
        {
            "label": group.label,
            "colour": GROUP_COLOURS.get(group.code, DEFAULT_COLOUR),
            "categories": [{"category": c, "label": c.label, "icon": _icon(c)} for c in members],
        }
        for group, members in report_categories()
    ]


class ReportForm(forms.Form):
    category = forms.CharField(
        max_length=64, error_messages={"required": gettext_lazy("请选择事件类别。")}
    )
    description = forms.CharField(
        max_length=REPORT_DESCRIPTION_MAX,
        error_messages={
            "required": gettext_lazy("请描述发生了什么。"),
            "max_length": gettext_lazy(
                "描述不能超过 %(limit_value)d 个字（现在 %(show_value)d 个）。"
            ),
        },
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)
    accuracy = forms.FloatField(required=False)
    coord_system = forms.ChoiceField(
        required=False, choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02")]
    )
    address = forms.CharField(
        required=False,
        max_length=300,
        error_messages={"max_length": gettext_lazy("地址不能超过 %(limit_value)d 个字。")},
    )
    photo = forms.FileField(required=False)

    def clean_category(self) -> Category:
        category = report_category(self.cleaned_data["category"])
        if category is None:
            raise forms.ValidationError(_("请选择事件类别。"))
        return category

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo is not None and photo.size is not None and photo.size > max_upload_bytes():
            limit = max_upload_bytes() // (1024 * 1024)
            raise forms.ValidationError(_("照片不能超过 %(mb)d MB。") % {"mb": limit})
        return photo

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        located = data.get("lat") is not None and data.get("lng") is not None
        if not located and "lat" not in self.errors and "lng" not in self.errors:
            self.add_error("lat", _("请提供事件位置：点击“获取我的位置”，或在地图上选点。"))
        return data


# A service's InvalidInput names a field of its own; this is where the form shows it.
FIELD_OF = {"lat": "lat", "lng": "lat", "coord_system": "lat", "file": "photo"}


def _report_limit() -> tuple[int, int]:
    """(anonymous reports allowed, per how many seconds) from one address."""
    return settings.SHOUWANG_REPORT_RATE_LIMIT, settings.SHOUWANG_REPORT_RATE_WINDOW_S


def reporter_address(request: HttpRequest) -> str:
    """The address a report came from, for the limit: the one the server saw (client_ip;
    behind a trusted proxy, the client it named). A header the client sent itself would let
    anyone pick a fresh key per report."""
    return client_ip(request) or ""


def _rate_key(request: HttpRequest) -> str:
    return f"citizen-report:{reporter_address(request)}"


def _over_limit(request: HttpRequest) -> bool:
    if request.user.is_authenticated:
        return False
    limit, window = _report_limit()
    return rate_used(_rate_key(request), window=window) >= limit


def _count_report(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        rate_count(_rate_key(request), window=_report_limit()[1])


def _count_refused_upload(request: HttpRequest) -> None:
    """A refused report that carried a file counts like a filed one: checking an upload costs
    the server a decode, and an address must not try bad files without limit."""
    if request.FILES:
        _count_report(request)


def _too_many(request: HttpRequest) -> HttpResponse:
    limit, window = _report_limit()
    context = {"limit": limit, "minutes": max(1, window // 60)}
    response = render(request, "cases/public/too_many.html", context, status=429)
    response["Retry-After"] = str(window)
    return response


def report_texts() -> dict[str, str]:
    """What the report page's script says, in the active language."""
    return {
        "no_position": _("还没有位置。"),
        "position": _("已选位置：北纬 %(lat)s，东经 %(lng)s"),
        "accuracy": _("（误差约 %(m)s 米）"),
        "locating": _("正在获取位置…"),
        "no_geo": _("无法获取手机位置：请允许浏览器使用位置信息，或点“调整位置”在地图上选点。"),
        "map_loading": _("地图加载中…"),
        "map_ready": _("在地图上点选"),
        "map_failed": _("地图加载失败，请重试"),
        "compressing": _("正在压缩照片…"),
        "sending": _("正在提交…"),
        "offline": _("网络不通，内容都还在，请稍后再点提交。"),
    }


def _report_page(request: HttpRequest, form: ReportForm, status: int = 200) -> HttpResponse:
    selected = form.data.get("category", "") if form.is_bound else ""
    context = {
        "form": form,
        "groups": _tiles(),
        "selected": selected,
        "description_max": REPORT_DESCRIPTION_MAX,
        "photo_lost": form.is_bound and bool(request.FILES.get("photo")),
        "texts": report_texts(),
    }
    return render(request, "cases/public/report.html", context, status=status)


def _prefill(request: HttpRequest) -> dict[str, object]:
    """A link may fill in where (a premises' QR page links here with its address and position);
    values that do not parse are left out, the form then asks as usual."""
    initial: dict[str, object] = {"address": request.GET.get("address", "")[:300]}
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return initial
    if -90 <= lat <= 90 and -180 <= lng <= 180:
        initial |= {"lat": lat, "lng": lng}
    return initial


@require_http_methods(["GET", "POST"])
@never_cache
def report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _report_page(request, ReportForm(initial=_prefill(request)))
    if _over_limit(request):
        return _too_many(request)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        _count_refused_upload(request)
        return _report_page(request, form, status=422)
    data = form.cleaned_data
    photo = data.get("photo")
    user = request.user if isinstance(request.user, User) else None
    try:
        case = citizen_report(
            actor=user,
            category=data["category"],
            description=data["description"],
            lat=data["lat"],
            lng=data["lng"],
            coord_system=data.get("coord_system") or "wgs84",
            address=data.get("address", ""),
            photo=photo.read(max_upload_bytes() + 1) if photo is not None else None,
        )
    except InvalidInput as exc:
        field = str(exc.extra.get("field", ""))
        form.add_error(
            FIELD_OF.get(field, field if field in form.fields else None), str(exc.message)
        )
        _count_refused_upload(request)
        return _report_page(request, form, status=422)
    _count_report(request)
    return redirect("citizen-receipt", receipt_code=case.receipt_code)


@require_GET
@never_cache
def receipt(request: HttpRequest, receipt_code: str) -> HttpResponse:
    case = case_track(receipt_code=receipt_code)
    return render(request, "cases/public/receipt.html", {"case": case})


@require_GET
@cache_control(public=True, max_age=3600)
def outline(request: HttpRequest) -> JsonResponse:
    """The city's towns, for moving the report's pin (loaded only when asked for)."""
    return JsonResponse(city_outline())


@require_GET
def track_lookup(request: HttpRequest) -> HttpResponse:
    code = receipt_code_clean(request.GET.get("code", ""))
    if code:
        return redirect("citizen-track", receipt_code=code)
    return render(request, "cases/public/track_lookup.html")


def _track_not_found(request: HttpRequest, typed: str) -> HttpResponse:
    """A code that matches nothing: the public lookup again, with the code to correct (never
    the staff 404 page, which offers the staff sign-in)."""
    context = {"code": typed, "error": _("没有找到这个查询码，请核对后重新输入。")}
    return render(request, "cases/public/track_lookup.html", context, status=404)


def _track_page(
    request: HttpRequest, receipt_code: str, *, error: str = "", status: int = 200, note: str = ""
) -> HttpResponse:
    case = case_track(receipt_code=receipt_code)
    steps = [
        {"at": e.at, "kind": e.kind, "label": TimelineKind(e.kind).label}
        for e in getattr(case, "public_timeline", [])
        if e.kind in TimelineKind.values
    ]
    context = {
        "case": case,
        "category_label": case.category.label,
        "steps": steps,
        "rating": track_rating(case=case),
        "error": error,
        "note": note,
        "note_max": RATING_NOTE_MAX,
    }
    return render(request, "cases/public/track.html", context, status=status)


@require_GET
@never_cache
def track(request: HttpRequest, receipt_code: str) -> HttpResponse:
    try:
        return _track_page(request, receipt_code)
    except NotFound:
        return _track_not_found(request, receipt_code)


@require_POST
def rate(request: HttpRequest, receipt_code: str) -> HttpResponse:
    note = request.POST.get("note", "")
    try:
        result = CallbackResult(request.POST.get("result", ""))
    except ValueError:
        result = None
    try:
        if result is None:
            raise InvalidInput(_("请选择满意或不满意。"), extra={"field": "result"})
        citizen_callback_record(receipt_code=receipt_code, result=result, note=note)
    except NotFound:
        raise
    except ApplicationError as exc:
        return _track_page(
            request, receipt_code, error=str(exc.message), status=exc.status, note=note
        )
    if result == CallbackResult.UNSATISFIED:
        messages.warning(request, _("感谢您的评价。您的不满意意见已提交，事件将重新办理。"))
    else:
        messages.success(request, _("感谢您的评价！"))
    return redirect("citizen-track", receipt_code=receipt_code.strip().upper())
