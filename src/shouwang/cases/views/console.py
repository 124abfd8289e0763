"""The dispatcher console (`/console/`): the jurisdiction's live case list and map, and the big
screen (`/screen/`, 投屏) for the wall. Both stay live over `ws/notify/`, whose screen-group
pushes name the case that changed; the page then asks for that case's row again here, so rows
are always rendered by the server. Intake is in console_intake.py, one case in console_case.py."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shouwang.cases.models import Priority
from shouwang.cases.selectors.big_screen import screen_figures, screen_newest
from shouwang.cases.selectors.categories import categories_list
from shouwang.cases.selectors.console import (
    STATE_GROUPS,
    ConsoleFilters,
    console_cases,
    console_check,
    console_rows,
)
from shouwang.cases.selectors.console_map import console_map, console_top_node
from shouwang.cases.states import CaseState
from shouwang.core.models import User


def acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _filter_context(filters: ConsoleFilters) -> dict[str, object]:
    return {
        "filters": filters,
        "state_groups": [(key, label) for key, (label, _states) in STATE_GROUPS.items()],
        "states": CaseState.choices,
        "categories": categories_list(),
        "priorities": Priority.choices,
    }


@login_required
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    filters = ConsoleFilters.from_query(request.GET)
    cases = console_cases(user=user, filters=filters)
    if is_htmx(request):
        return render(request, "cases/console/_rows.html", {"cases": cases, "show_empty": True})
    context = {"cases": cases, "top": console_top_node(user), **_filter_context(filters)}
    return render(request, "cases/console/index.html", context)


@login_required
@require_GET
def console_rows_view(request: HttpRequest) -> HttpResponse:
    """Rows of the cases just changed (`ids`) that the list under the current filters shows;
    the page drops the rows of the others."""
    ids = [int(v) for v in request.GET.get("ids", "").split(",") if v.strip().isdigit()]
    filters = ConsoleFilters.from_query(request.GET)
    cases = console_rows(user=acting_user(request), filters=filters, ids=ids)
    return render(request, "cases/console/_rows.html", {"cases": cases})


@login_required
@require_GET
def console_map_data(request: HttpRequest) -> JsonResponse:
    """Areas, grids, case points and responders' positions for the console and screen maps."""
    return JsonResponse(console_map(user=acting_user(request)))


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    console_check(user)
    context = {
        "figures": screen_figures(user=user),
        "newest": screen_newest(user=user),
        "top": console_top_node(user),
    }
    return render(request, "cases/console/screen.html", context)


@login_required
@require_GET
def screen_panel(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    context = {"figures": screen_figures(user=user), "newest": screen_newest(user=user)}
    return render(request, "cases/console/_screen_panel.html", context)
