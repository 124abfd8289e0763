"""The landlord's phone pages (/m/housing/): their premises and rooms, register a tenant, end a
tenancy, list a vacant room; and the public vacancy page (/housing/vacancies/), no login.
Thin: parse with a form, call a selector or service, render; a refused service call re-renders
the form with the reason."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouwang.core.errors import ApplicationError
from shouwang.core.models import JurisdictionNode, NodeLevel, User
from shouwang.housing import selectors
from shouwang.housing.forms import EndForm, ListingForm, RegisterForm, VacancySearchForm
from shouwang.housing.services.listings import listing_publish
from shouwang.housing.services.tenancies import tenancy_end, tenancy_register

PREMISES_PAGE = 20
VACANCY_PAGE = 20


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_GET
@never_cache
def landlord_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    premises = selectors.managed_premises(user=user)
    search = request.GET.get("q", "").strip()
    if search:
        premises = premises.filter(name__contains=search)
    page = Paginator(premises, PREMISES_PAGE).get_page(request.GET.get("page"))
    since = timezone.localdate() - timedelta(days=30)
    context = {
        "page": page,
        "q": search,
        "rate": selectors.registration_rate(user=user, since=since),
    }
    return render(request, "housing/landlord_home.html", context)


@login_required
@require_GET
@never_cache
def premises_detail(request: HttpRequest, premises_id: int) -> HttpResponse:
    user = _user(request)
    premises = selectors.premises_for_actor(user=user, premises_id=premises_id)
    context = {
        "premises": premises,
        "rooms": selectors.premises_rooms(premises=premises),
        "end_form": EndForm(initial={"moved_out": timezone.localdate()}),
    }
    return render(request, "housing/premises.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def register(request: HttpRequest, room_id: int) -> HttpResponse:
    user = _user(request)
    room = selectors.room_for_actor(user=user, room_id=room_id)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = tenancy_register(
                actor=user,
                room=room,
                name=data["name"],
                phone=data["phone"],
                moved_in=data["moved_in"],
                id_number=data["id_number"],
                nationality=data["nationality"],
                passport_number=data["passport_number"],
                expected_end=data["expected_end"],
                card_number=data["card"],
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已登记，门禁卡号 %(card)s。") % {"card": done.card_number})
            if done.tenancy.over_occupancy:
                messages.warning(request, _("该房间超员，已通知网格员核查消防安全。"))
            return redirect("housing-premises", premises_id=room.premises_id)
    return render(request, "housing/register.html", {"room": room, "form": form})


@login_required
@require_POST
def end(request: HttpRequest, tenancy_id: int) -> HttpResponse:
    user = _user(request)
    tenancy = selectors.tenancy_for_actor(user=user, tenancy_id=tenancy_id)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退租日期。"))
    else:
        try:
            tenancy_end(actor=user, tenancy=tenancy, moved_out=form.cleaned_data["moved_out"])
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已退租，门禁卡已注销。"))
    return redirect("housing-premises", premises_id=tenancy.room.premises_id)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def publish(request: HttpRequest, room_id: int) -> HttpResponse:
    user = _user(request)
    room = selectors.room_for_actor(user=user, room_id=room_id)
    form = ListingForm(request.POST or None, initial={"available_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            listing_publish(
                actor=user,
                room=room,
                rent=data["rent"],
                available_from=data["available_from"],
                rules=data["rules"],
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已发布招租。"))
            return redirect("housing-premises", premises_id=room.premises_id)
    return render(request, "housing/publish.html", {"room": room, "form": form})


@require_GET
def vacancies(request: HttpRequest) -> HttpResponse:
    """Public: no login, no landlord, no phone number."""
    towns = JurisdictionNode.objects.filter(level=NodeLevel.TOWN).order_by("code")
    form = VacancySearchForm(request.GET or None)
    node_field = form.fields["node"]
    assert isinstance(node_field, forms.ChoiceField)
    node_field.choices = [("", _("全部"))] + [(t.code, t.name) for t in towns]
    filters = selectors.VacancyFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.VacancyFilter(
            node_code=data["node"] or "", min_rent=data["min_rent"], max_rent=data["max_rent"]
        )
    listings = selectors.vacancies_public(filters=filters)
    page = Paginator(listings, VACANCY_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "housing/vacancies.html", context)
