"""Call intake at the console (`/console/new/`), made for a trained dispatcher's keyboard:
category by code or pinyin initials, place by address, map click or coordinates, priority, the
caller's phone (stored encrypted, shown masked from then on) and the description. Likely
duplicates show beside the form as it is typed; one key saves the call as a duplicate of the
best one (case_intake, then case_merge). Bad input comes back with the reason beside the field
and everything typed still in place."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from shouwang.cases import services
from shouwang.cases.models import Case, CaseChannel, Category, Priority
from shouwang.cases.selectors.cases import case_reference
from shouwang.cases.selectors.categories import categories_list, category_by_code
from shouwang.cases.selectors.console import console_check
from shouwang.cases.selectors.console_map import console_top_node
from shouwang.cases.selectors.duplicates import case_duplicates
from shouwang.cases.views.console import acting_user
from shouwang.core.errors import ApplicationError, InvalidInput
from shouwang.core.services.pii import pii_lookup_hash, pii_normalise

# The channels a dispatcher takes calls on; the others come in through their own doors.
INTAKE_CHANNELS = [
    (CaseChannel.PHONE_110.value, CaseChannel.PHONE_110.label),
    (CaseChannel.HOTLINE_12345.value, CaseChannel.HOTLINE_12345.label),
    (CaseChannel.WALK_IN.value, CaseChannel.WALK_IN.label),
]
CATEGORY_MATCHES = 10
# Where a service's complaint about a field shows on the form (the others go on top).
ERROR_FIELDS = {
    "category": "category_search",
    "lat": "lat",
    "lng": "lng",
    "coord_system": "lat",
    "node": "address",
    "caller_phone": "caller_phone",
    "description": "description",
    "address": "address",
    "priority": "priority",
}


def category_from(code: str, search: str) -> Category | None:
    """The category chosen in the picker (`code`), else the one the search text names: an
    exact code, or the only match."""
    if code.strip():
        return category_by_code(code.strip())
    term = search.strip()
    if not term:
        return None
    matches = list(categories_list(search=term)[:CATEGORY_MATCHES])
    exact = [c for c in matches if c.code == term or c.name == term]
    if exact:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("来源"), choices=INTAKE_CHANNELS)
    category = forms.CharField(required=False, widget=forms.HiddenInput)
    category_search = forms.CharField(label=gettext_lazy("事件类别"), required=False, max_length=60)
    priority = forms.TypedChoiceField(
        label=gettext_lazy("紧急程度"),
        choices=[("", gettext_lazy("按类别默认")), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    address = forms.CharField(label=gettext_lazy("地址"), required=False, max_length=300)
    # Text, not number inputs: a pasted "lat, lng" must reach the script that splits it.
    lat = forms.FloatField(
        label=gettext_lazy("纬度"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    lng = forms.FloatField(
        label=gettext_lazy("经度"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    caller_phone = forms.CharField(label=gettext_lazy("来电号码"), required=False, max_length=20)
    reporter_name = forms.CharField(label=gettext_lazy("报警人"), required=False, max_length=50)
    confidential = forms.BooleanField(label=gettext_lazy("来电人要求保密"), required=False)
    description = forms.CharField(
        label=gettext_lazy("事件描述"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    merge_into = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["category_obj"] = category_from(
                data.get("category", ""), data.get("category_search", "")
            )
        except InvalidInput as exc:
            self.add_error("category_search", str(exc.message))
        else:
            if data["category_obj"] is None:
                self.add_error(
                    "category_search", _("请选择事件类别：输入编码、名称或拼音首字母检索后选定。")
                )
        self._clean_place(data)
        phone = data.get("caller_phone", "")
        if phone:
            try:
                pii_normalise(field="caller_phone", value=phone)
            except InvalidInput as exc:
                self.add_error("caller_phone", str(exc.message))
        return data

    def _clean_place(self, data: dict[str, Any]) -> None:
        if self.has_error("lat") or self.has_error("lng"):
            return
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None):
            self.add_error("lat", _("经度和纬度须同时填写。"))
        elif lat is None and not data.get("address", "").strip():
            self.add_error("address", _("请填写地址，或在地图上点选位置，或输入坐标。"))


def _render_form(request: HttpRequest, form: IntakeForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "top": console_top_node(acting_user(request))}
    return render(request, "cases/console/intake.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    console_check(user)
    if request.method == "GET":
        return _render_form(request, IntakeForm(initial={"channel": CaseChannel.PHONE_110}))
    form = IntakeForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, status=422)
    data = form.cleaned_data
    try:
        survivor = (
            case_reference(user=user, case_id=data["merge_into"], field="merge_into")
            if data.get("merge_into")
            else None
        )
        result = services.case_intake(
            actor=user,
            category=data["category_obj"],
            description=data["description"],
            channel=CaseChannel(data["channel"]),
            priority=data.get("priority"),
            lat=data.get("lat"),
            lng=data.get("lng"),
            address=data.get("address", ""),
            reporter_name=data.get("reporter_name", ""),
            caller_phone=data.get("caller_phone", ""),
            confidential=data.get("confidential", False),
        )
    except ApplicationError as exc:
        form.add_error(ERROR_FIELDS.get(exc.extra.get("field", "")), str(exc.message))
        return _render_form(request, form, status=exc.status)
    return _after_intake(request, result.case, survivor)


def _after_intake(request: HttpRequest, case: Case, survivor: Case | None) -> HttpResponse:
    messages.success(request, _("已登记 %(number)s。") % {"number": case.number})
    if survivor is None:
        return HttpResponseRedirect(reverse("console-case", args=[case.pk]))
    try:
        services.case_merge(actor=acting_user(request), case=case, into=survivor)
    except ApplicationError as exc:
        # The call is recorded either way (every call is kept); only the merge failed.
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("console-case", args=[case.pk]))
    messages.success(
        request,
        _("%(number)s 已作为重复警情合并到 %(into)s。")
        % {"number": case.number, "into": survivor.number},
    )
    return HttpResponseRedirect(reverse("console-case", args=[survivor.pk]))


@login_required
@require_GET
def intake_categories(request: HttpRequest) -> HttpResponse:
    """The category picker's matches for what is typed: code, name, keyword or pinyin initials."""
    console_check(acting_user(request))
    term = request.GET.get("category_search", "").strip()
    matches = list(categories_list(search=term)[:CATEGORY_MATCHES]) if term else []
    return render(request, "cases/console/_categories.html", {"matches": matches, "term": term})


def _float(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


@login_required
@require_GET
def intake_duplicates(request: HttpRequest) -> HttpResponse:
    """Likely duplicates of the call being typed (same category, near in place and time, or
    the same caller), for the panel beside the form."""
    user = acting_user(request)
    console_check(user)
    query = request.GET
    try:
        category = category_from(query.get("category", ""), query.get("category_search", ""))
    except InvalidInput:
        category = None
    phone_hash = ""
    if query.get("caller_phone", "").strip():
        try:
            phone_hash = pii_lookup_hash(field="caller_phone", value=query["caller_phone"])
        except InvalidInput:
            phone_hash = ""
    lat, lng = _float(query.get("lat", "")), _float(query.get("lng", ""))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        lat = lng = None
    candidates = (
        case_duplicates(
            user=user,
            category=category,
            at=timezone.now(),
            description=query.get("description", ""),
            address=query.get("address", ""),
            lat=lat,
            lng=lng,
            caller_hash=phone_hash,
        )
        if category is not None
        else []
    )
    context = {"candidates": candidates, "category": category}
    return render(request, "cases/console/_duplicates.html", context)
