"""Server-rendered pages of the core app, and the health probe."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found

from shouwang.core import selectors
from shouwang.core.health import cache_health, channel_layer_health, database_health
from shouwang.core.models import User
from shouwang.core.role_home import home_sections

PEOPLE_PAGE = 25


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": database_health(),
        "cache": cache_health(),
        "channel_layer": channel_layer_health(),
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "sections": home_sections(user),
        "roots": selectors.node_roots(user=user),
        "lineage": selectors.node_lineage(node=user.node) if user.node else [],
    }
    return render(request, "core/home.html", context)


@login_required
def jurisdiction(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = _user(request)
    node = (
        selectors.node_get(user=user, code=code)
        if code
        else selectors.node_roots(user=user).first()
    )
    children = selectors.nodes_list(user=user, parent_code=node.code) if node else []
    context: dict[str, object] = {
        "node": node,
        "lineage": selectors.node_lineage(node=node) if node else [],
        "children": children,
        "people_count": selectors.people_list(user=user, node_code=node.code).count()
        if node
        else 0,
    }
    if node:
        # Everyone of this node and below, searchable by name, pinyin initials or username.
        q = request.GET.get("q", "").strip()
        people = selectors.people_directory(user=user, search=q, within=node)
        context |= {
            "q": q,
            "people": Paginator(people, PEOPLE_PAGE).get_page(request.GET.get("page")),
        }
    return render(request, "core/jurisdiction.html", context)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path no route matches: under /api/ the API's one error body (a client parses JSON,
    and the OpenAPI document promises it), elsewhere Django's page."""
    if request.path.startswith("/api/"):
        message = _("找不到该对象，或不在您的辖区内。")
        return JsonResponse(
            {"error": {"code": "not_found", "message": message, "extra": {}}}, status=404
        )
    return page_not_found(request, exception)
