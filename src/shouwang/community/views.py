"""Pages of community forces. Phone pages (/m/…) for volunteers, patrol members and household
members: points and statement, patrol sign-on/off and check-in, group alerts. One console page
of figures for town staff, its Excel export and the QR sheet of a post. Thin: parse, call the
service or selector, render; a refused action re-renders the page with the reason and the
service's status."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouwang.community import config, selectors
from shouwang.community.exports import points_workbook
from shouwang.community.models import (
    CatalogueItem,
    GroupAlert,
    GroupMember,
    PatrolPost,
    RedemptionState,
)
from shouwang.community.permissions import is_points_staff
from shouwang.community.qr_sheet import post_qr_pdf
from shouwang.community.services import groups, patrols, redemptions
from shouwang.community.services.ledger import wallet_of
from shouwang.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDeniedError
from shouwang.core.models import User
from shouwang.core.selectors import node_in_scope


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _coordinate(request: HttpRequest, name: str) -> float:
    try:
        return float(request.POST.get(name, ""))
    except ValueError:
        raise InvalidInput(_("没有取得手机位置，请允许浏览器使用位置信息后重试。")) from None


def page_texts() -> dict[str, str]:
    """What the pages' script says, in the active language."""
    return {
        "locating": _("正在定位…"),
        "no_geo": _("无法取得手机位置：请允许浏览器使用位置信息，或到空旷处后重试。"),
        "track_pending": _("待上传位置"),
        "track_sent": _("轨迹已上传"),
    }


# --- points -------------------------------------------------------------------------------


def _points_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    user = _user(request)
    town = wallet_of(person=user).town if user.node_id else None
    context: dict[str, Any] = {
        "statement": selectors.statement_of(user=user),
        "catalogue": CatalogueItem.objects.filter(town=town, is_active=True) if town else [],
        "redemptions": selectors.redemptions_of(user=user),
        "awards": selectors.awards_of(user=user),
        "error": error,
    }
    return render(request, "community/points.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def my_points(request: HttpRequest) -> HttpResponse:
    """The volunteer's balance, statement and the town's catalogue with an exchange button."""
    if request.method == "POST":
        try:
            quantity = int(request.POST.get("quantity", "1") or 1)
            redemptions.redemption_request(
                actor=_user(request), item_code=request.POST.get("item", ""), quantity=quantity
            )
        except ValueError:
            return _points_page(request, error=_("数量有误。"), status=422)
        except ApplicationError as exc:
            return _points_page(request, error=str(exc.message), status=exc.status)
        messages.success(request, _("兑换申请已提交，等待镇街审批。"))
        return redirect("community-points")
    return _points_page(request)


# --- patrol -------------------------------------------------------------------------------


# What a patrol usually finds (the loop's category codes), for the finding form.
FINDING_CATEGORIES = [
    ("facility_damage", gettext_lazy("公共设施损坏")),
    ("fire_lane_blocked", gettext_lazy("消防通道堵塞")),
    ("ebike_charging", gettext_lazy("电动车违规充电")),
    ("suspicious", gettext_lazy("可疑情况")),
    ("garbage", gettext_lazy("垃圾乱堆")),
]


def _patrol_page(
    request: HttpRequest, *, error: str = "", status: int = 200, post: str = ""
) -> HttpResponse:
    user = _user(request)
    context: dict[str, Any] = {
        "shift": patrols.shift_open_of(user),
        "teams": user.patrol_teams.select_related("team"),
        "post": post or request.GET.get("post", ""),
        "error": error,
        "recent": user.patrol_checkins.select_related("post")[:10],
        "categories": FINDING_CATEGORIES,
        "texts": page_texts(),
    }
    return render(request, "community/patrol.html", context, status=status)


@login_required
@require_GET
@never_cache
def patrol(request: HttpRequest) -> HttpResponse:
    """Sign on/off, check in at a post (its QR code opens this page with ?post=CODE)."""
    return _patrol_page(request)


@login_required
@require_POST
def checkin(request: HttpRequest) -> HttpResponse:
    post = request.POST.get("post", "").strip()
    try:
        record = patrols.checkin_record(
            actor=_user(request),
            post_code=post,
            lat=_coordinate(request, "lat"),
            lng=_coordinate(request, "lng"),
        )
    except ApplicationError as exc:
        return _patrol_page(request, error=str(exc.message), status=exc.status, post=post)
    messages.success(
        request,
        _("已在 %(post)s 打卡（距点位 %(d)d 米）。")
        % {"post": record.post.name, "d": record.distance_m},
    )
    return redirect("community-patrol")


@login_required
@require_POST
def finding(request: HttpRequest) -> HttpResponse:
    """A patrol finding with a photo, into the loop as a case (channel patrol)."""
    photo = request.FILES.get("photo")
    try:
        made = patrols.finding_report(
            actor=_user(request),
            category_code=request.POST.get("category", ""),
            description=request.POST.get("description", ""),
            lat=_coordinate(request, "lat"),
            lng=_coordinate(request, "lng"),
            photos=[photo] if photo is not None else [],
        )
    except ApplicationError as exc:
        return _patrol_page(request, error=str(exc.message), status=exc.status)
    messages.success(request, _("已上报，事件编号 %(n)s。") % {"n": made.case})
    return redirect("community-patrol")


@login_required
@require_POST
def shift(request: HttpRequest) -> HttpResponse:
    try:
        if request.POST.get("action") == "end":
            ended = patrols.shift_end(actor=_user(request))
            messages.success(
                request,
                _("已下岗，本班巡防 %(h).1f 小时。") % {"h": ended.patrol_seconds / 3600},
            )
        else:
            patrols.shift_start(actor=_user(request), team_code=request.POST.get("team") or None)
            messages.success(request, _("已上岗，巡防期间本页会记录您的轨迹。"))
    except ApplicationError as exc:
        return _patrol_page(request, error=str(exc.message), status=exc.status)
    return redirect("community-patrol")


# --- ten-household groups -----------------------------------------------------------------


@login_required
@require_GET
@never_cache
def my_groups(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    memberships = GroupMember.objects.filter(person=user).select_related("group")
    alerts = (
        GroupAlert.objects.filter(group__group_members__person=user)
        .select_related("group", "raised_by")
        .order_by("-raised_at")[:10]
    )
    context = {"memberships": memberships, "alerts": alerts, "texts": page_texts()}
    return render(request, "community/groups.html", context)


@login_required
@require_POST
def alert_raise(request: HttpRequest, code: str) -> HttpResponse:
    alert = groups.alert_raise(
        actor=_user(request),
        group_code=code,
        lat=_coordinate(request, "lat"),
        lng=_coordinate(request, "lng"),
        note=request.POST.get("note", ""),
        open_case=request.POST.get("open_case") == "1",
    )
    messages.success(request, _("已通知全组成员和网格员。"))
    return redirect("community-alert", alert_id=alert.pk)


def _alert_page(
    request: HttpRequest, alert_id: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    user = _user(request)
    detail = selectors.alert_detail(user=user, alert_id=alert_id)
    mine = next((m for m in detail.members if m.person_id == user.pk), None)
    context = {
        "detail": detail,
        "mine": mine,
        "error": error,
        "ack_target": config.group_ack_target_s(),
        "arrive_target": config.group_arrive_target_s(),
        "texts": page_texts(),
    }
    return render(request, "community/alert.html", context, status=status)


@login_required
@require_GET
@never_cache
def alert_page(request: HttpRequest, alert_id: int) -> HttpResponse:
    """One alert: the members' acknowledgement and arrival times; my own buttons."""
    return _alert_page(request, alert_id)


@login_required
@require_POST
def alert_respond(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        if request.POST.get("action") == "arrive":
            groups.alert_arrive(
                actor=_user(request),
                alert_id=alert_id,
                lat=_coordinate(request, "lat"),
                lng=_coordinate(request, "lng"),
            )
        else:
            groups.alert_acknowledge(actor=_user(request), alert_id=alert_id)
    except NotFound:
        raise
    except ApplicationError as exc:
        return _alert_page(request, alert_id, error=str(exc.message), status=exc.status)
    return redirect("community-alert", alert_id=alert_id)


# --- console: figures, redemptions, export, QR -------------------------------------------

REDEMPTION_STEPS = {
    "approve": redemptions.redemption_approve,
    "fulfil": redemptions.redemption_fulfil,
    "reject": redemptions.redemption_reject,
}


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def redemption_queue(request: HttpRequest) -> HttpResponse:
    """Town staff approve, hand over or reject exchange requests (filter by state, paged)."""
    user = _user(request)
    if request.method == "POST":
        step = REDEMPTION_STEPS.get(request.POST.get("action", ""))
        if step is None:
            raise InvalidInput()
        step(actor=user, redemption_id=int(request.POST.get("redemption", "0") or 0))
        messages.success(request, _("已处理。"))
        return redirect(request.get_full_path())
    state = request.GET.get("state", RedemptionState.REQUESTED)
    rows = selectors.redemptions_for_staff(user=user, state=state or None)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "states": RedemptionState.choices}
    return render(request, "community/redemptions.html", context)


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """KPI figures of community forces for a node and month, with leaderboard and hours."""
    user = _user(request)
    node = request.GET.get("node") or None
    month = request.GET.get("month") or None
    found = selectors.community_figures(user=user, node_code=node, month=month)
    context = {
        "f": found,
        "hours": selectors.patrol_hours_for(user=user, node_code=found.node, month=found.month),
        "leaders": selectors.leaderboard(user=user, node_code=found.node, month=found.month)
        if user.role in {"leader", "admin"}
        else [],
        "on_patrol": selectors.teams_on_patrol(user=user),
        "ratings": selectors.unit_ratings(user=user, node_code=found.node, month=found.month),
        "can_export": is_points_staff(user),
    }
    return render(request, "community/figures.html", context)


@login_required
@require_GET
def points_export(request: HttpRequest) -> HttpResponse:
    """The month's points by person and the town's summary, as an Excel workbook."""
    user = _user(request)
    node = request.GET.get("node") or (user.node.code if user.node else "")
    month = request.GET.get("month") or None
    data = points_workbook(user=user, node_code=node, month=month)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="points.xlsx"'
    return response


@login_required
@require_GET
def post_qr_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """A printable PDF with the post's QR code (it opens the check-in page for the post)."""
    user = _user(request)
    post = PatrolPost.objects.select_related("node").filter(code=code).first()
    if post is None or not node_in_scope(user, post.node):
        raise NotFound()
    if user.role not in {"leader", "admin", "dispatcher"}:
        raise PermissionDeniedError()
    url = request.build_absolute_uri(f"/m/patrol/?post={post.code}")
    response = HttpResponse(post_qr_pdf(post=post, url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="post-{post.code}.pdf"'
    return response
