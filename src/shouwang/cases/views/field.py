"""The responder's phone page (/m/): the task list and one task with a big button per step
(accept, arrived, resolved), photos, "not ours", and the case room. Thin: parse, call the
service, render. A refused step re-renders the task with the reason and what was typed, with
the service's status (409 wrong state, 403 not an assignee, 422 bad input); a case the person
may not see is the 404 page (core/middleware.py)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shouwang.cases import services
from shouwang.cases.selectors.cases import case_get
from shouwang.cases.selectors.field import field_task, field_tasks
from shouwang.cases.services.attachments import max_upload_bytes
from shouwang.cases.services.room import room_message_post
from shouwang.core.errors import ApplicationError, InvalidInput, NotFound
from shouwang.core.models import User

NOTE_MAX = 2000


def field_texts() -> dict[str, str]:
    """What the page's script says, in the active language."""
    return {
        "live_on": _("实时"),
        "live_off": _("离线，定时刷新"),
        "locating": _("正在定位…"),
        "sending": _("正在提交…"),
        "no_geo": _("无法取得手机位置：请允许浏览器使用位置信息，或到空旷处后重试。"),
        "compressing": _("正在压缩照片…"),
        "uploading": _("正在上传照片…"),
        "uploaded": _("照片已上传。"),
        "upload_failed": _("照片上传失败："),
        "send_failed": _("发送失败，请重试。"),
        "position_on": _("位置共享中：指挥中心可据此就近派单。"),
        "photo": _("现场照片"),
    }


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_GET
@never_cache
def tasks(request: HttpRequest) -> HttpResponse:
    context = {"tasks": field_tasks(user=_user(request)), "texts": field_texts()}
    return render(request, "cases/field/tasks.html", context)


@login_required
@require_GET
@never_cache
def task_list(request: HttpRequest) -> HttpResponse:
    """The list alone, for htmx: refreshed when the socket brings news, or polled without it."""
    return render(
        request, "cases/field/_task_list.html", {"tasks": field_tasks(user=_user(request))}
    )


def _task_page(
    request: HttpRequest, case_id: int, *, error: str = "", status: int = 200, **typed: str
) -> HttpResponse:
    context: dict[str, Any] = {
        "task": field_task(user=_user(request), case_id=case_id),
        "error": error,
        "typed": typed,
        "note_max": NOTE_MAX,
        "texts": field_texts(),
    }
    return render(request, "cases/field/task.html", context, status=status)


@login_required
@require_GET
@never_cache
def task(request: HttpRequest, case_id: int) -> HttpResponse:
    return _task_page(request, case_id)


@login_required
@require_GET
@never_cache
def task_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """State, steps and timeline of one task, for htmx refreshes when the case changes."""
    context = {"task": field_task(user=_user(request), case_id=case_id), "typed": {}}
    return render(request, "cases/field/_task_panel.html", context)


def _act(request: HttpRequest, case_id: int, done: str, step: Any, **typed: str) -> HttpResponse:
    """Runs one step; on success back to the task (post/redirect/get) with `done` flashed."""
    user = _user(request)
    case = case_get(user=user, case_id=case_id)
    try:
        step(user, case)
    except NotFound:
        raise
    except ApplicationError as exc:
        return _task_page(request, case_id, error=str(exc.message), status=exc.status, **typed)
    messages.success(request, done)
    return redirect("field-task", case_id=case_id)


@login_required
@require_POST
def accept(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        _("已接单，请尽快前往现场。"),
        lambda user, case: services.assignment_accept(actor=user, case=case),
    )


def _coordinate(request: HttpRequest, name: str) -> float:
    try:
        return float(request.POST.get(name, ""))
    except ValueError:
        raise InvalidInput(
            _("没有取得手机位置，请允许浏览器使用位置信息后再点“到达”。"), extra={"field": name}
        ) from None


@login_required
@require_POST
def arrive(request: HttpRequest, case_id: int) -> HttpResponse:
    """Arrival with the phone's position (WGS-84 from the HTML5 API; `coord_system` gcj02 when
    a map SDK gave it). Outside the arrival radius it is recorded as such, not refused."""
    coord_system = request.POST.get("coord_system", "wgs84")

    def step(user: User, case: Any) -> None:
        lat, lng = _coordinate(request, "lat"), _coordinate(request, "lng")
        assignment = services.assignment_arrive(
            actor=user, case=case, lat=lat, lng=lng, coord_system=coord_system
        )
        if assignment.within_radius is False:
            messages.warning(
                request,
                _("定位显示您距事件地点约 %(m)d 米，已如实记录。")
                % {"m": round(assignment.distance_m or 0)},
            )

    return _act(request, case_id, _("已记录到达现场。"), step)


@login_required
@require_POST
def resolve(request: HttpRequest, case_id: int) -> HttpResponse:
    note = request.POST.get("note", "")[: NOTE_MAX + 1]

    def step(user: User, case: Any) -> None:
        if len(note.strip()) > NOTE_MAX:
            raise InvalidInput(_("说明不能超过 %(max)d 个字。") % {"max": NOTE_MAX})
        services.assignment_resolve(actor=user, case=case, note=note)

    return _act(request, case_id, _("已报告处置完毕，等待核查。"), step, note=note)


@login_required
@require_POST
def return_case(request: HttpRequest, case_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")[:501]

    def step(user: User, case: Any) -> None:
        if len(reason.strip()) > 500:
            raise InvalidInput(_("退回原因不能超过 500 个字。"))
        services.assignment_return(actor=user, case=case, reason=reason)

    return _act(request, case_id, _("已退回，指挥中心将重新派单。"), step, reason=reason)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def photo(request: HttpRequest, case_id: int) -> HttpResponse:
    """One photo (compressed on the phone before upload), through attachment_add. Answers JSON
    to the page's script, or redirects back to the task for a plain form post."""
    user = _user(request)
    case = case_get(user=user, case_id=case_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput(_("请选择一张照片。"), extra={"field": "file"})
        if upload.size is not None and upload.size > max_upload_bytes():
            raise InvalidInput(_("照片过大。"), extra={"field": "file"})
        note = request.POST.get("note", "")
        attachment = services.attachment_add(
            actor=user, case=case, data=upload.read(max_upload_bytes() + 1), note=note
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        if _wants_json(request):
            return JsonResponse(exc.as_body(), status=exc.status)
        return _task_page(request, case_id, error=str(exc.message), status=exc.status)
    url = reverse("api:download_attachment", args=[case_id, attachment.pk])
    if _wants_json(request):
        return JsonResponse({"id": attachment.pk, "url": url}, status=201)
    messages.success(request, _("照片已上传。"))
    return redirect("field-task", case_id=case_id)


@login_required
@require_POST
def message(request: HttpRequest, case_id: int) -> HttpResponse:
    """A message to the case room without the socket (no script, or the socket is down)."""
    text = request.POST.get("text", "")

    def step(user: User, case: Any) -> None:
        room_message_post(actor=user, case=case, text=text)

    return _act(request, case_id, _("消息已发送。"), step, text=text)
