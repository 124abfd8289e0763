"""One case at the console (`/console/cases/<id>/`): its timeline, the case room (messages, photos,
positions — live through `ws/cases/<id>/`), the assignees with their acknowledgements, the
dispatch suggestions, and the dispatcher's actions, each one service call with a keyboard
shortcut: dispatch (five-in-sync: one action), divert, merge, escalate, transfer, cancel."""

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shouwang.cases import services
from shouwang.cases.models import Case, TimelineEvent, TimelineKind
from shouwang.cases.rules.actions import actions_for
from shouwang.cases.rules.room import ROOM_MESSAGE_KIND
from shouwang.cases.selectors.case_room import event_detail, event_label, state_label
from shouwang.cases.selectors.cases import caller_visible, case_get
from shouwang.cases.selectors.categories import categories_list, category_by_code
from shouwang.cases.selectors.console import (
    case_assignees,
    case_by_reference,
    case_timer,
    console_check,
    transfer_units,
)
from shouwang.cases.selectors.duplicates import case_duplicates_of
from shouwang.cases.selectors.suggestions import dispatch_suggestions
from shouwang.cases.selectors.targets import dispatch_people, unit_by_code, units_by_code
from shouwang.cases.states import QUEUE_STATES, CaseAction, CaseState
from shouwang.cases.views.console import acting_user
from shouwang.core.errors import ApplicationError, InvalidInput, PermissionDeniedError
from shouwang.core.models import Unit, User

# What the dispatcher's keys do on this page (shown on the buttons; console-case.js binds them).
SHORTCUTS = {
    "dispatch": "d",
    "divert": "v",
    "merge": "m",
    "escalate": "e",
    "transfer": "t",
    "cancel": "x",
}
MERGEABLE = QUEUE_STATES | {CaseState.DISPATCHED}
PARTS = {
    "summary": "cases/console/_case_summary.html",
    "assignees": "cases/console/_case_assignees.html",
    "actions": "cases/console/_case_actions.html",
}


def _suggestions(user: User, case: Case) -> dict[str, Any] | None:
    try:
        return dispatch_suggestions(user=user, case=case)
    except PermissionDeniedError:
        return None


def _duplicates(user: User, case: Case) -> list[Any]:
    if case.state not in MERGEABLE:
        return []
    return case_duplicates_of(user=user, case=case)


def _allowed(user: User, case: Case) -> set[str]:
    """The console's actions the user may take now: the services' own tables
    (rules/actions.py)."""
    offered = actions_for(user=user, case=case, assignments=case.assignments.all())
    return {a for a in SHORTCUTS if CaseAction(a) in offered}


def _case_context(user: User, case: Case) -> dict[str, Any]:
    photos: dict[int | None, list[Any]] = {}
    for attachment in case.attachments.all():
        photos.setdefault(attachment.event_id, []).append(attachment)
    events: list[TimelineEvent] = list(case.timeline.all())
    timeline = [
        {
            "event": e,
            "label": event_label(e.kind),
            "to_state_label": state_label(e.to_state) if e.to_state else "",
            "detail": event_detail(e.data),
            "photos": photos.get(e.pk, []),
        }
        for e in events
    ]
    room_kinds = {ROOM_MESSAGE_KIND, TimelineKind.ATTACHMENT_ADDED}
    allowed = _allowed(user, case)
    return {
        "case": case,
        "timer": case_timer(case),
        "caller_visible": caller_visible(user=user, case=case),
        "assignees": case_assignees(case=case),
        "suggestions": _suggestions(user, case) if "dispatch" in allowed else None,
        "steps": [t for t, e in zip(timeline, events, strict=True) if e.kind != ROOM_MESSAGE_KIND],
        "room": [t for t, e in zip(timeline, events, strict=True) if e.kind in room_kinds],
        "last_event_id": events[-1].pk if events else 0,
        "shortcuts": SHORTCUTS,
        "allowed": allowed,
        "units": transfer_units(user=user, case=case),
        "divert_categories": categories_list(police=False),
        **_posted(QueryDict()),
    }


def _posted(data: QueryDict) -> dict[str, Any]:
    """What the dispatcher had typed or ticked, to show again with a refusal."""
    return {
        "posted": data,
        "posted_people": data.getlist("people"),
        "posted_first_people": data.getlist("first_people"),
        "posted_first_units": data.getlist("first_units"),
        "posted_units": data.getlist("units"),
    }


def _detail_context(user: User, case: Case) -> dict[str, Any]:
    return {**_case_context(user, case), "duplicates": _duplicates(user, case), "open_action": ""}


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)
    console_check(user)
    case = case_get(user=user, case_id=case_id)
    return render(request, "cases/console/case.html", _detail_context(user, case))


@login_required
@require_GET
def case_part(request: HttpRequest, case_id: int, part: str) -> HttpResponse:
    """One block of the page again (summary, assignees, dispatch), after a room event."""
    user = acting_user(request)
    console_check(user)
    template = PARTS.get(part)
    if template is None:
        return HttpResponse(status=404)
    case = case_get(user=user, case_id=case_id)
    return render(request, template, _case_context(user, case))


# --- actions ----------------------------------------------------------------------------------


def _words(value: str) -> list[str]:
    return [w for w in re.split(r"[\s,，、;；]+", value) if w]


def _dispatch(user: User, case: Case, data: QueryDict) -> str:
    people = [*data.getlist("people"), *_words(data.get("extra_people", ""))]
    first: list[User | Unit] = [
        *dispatch_people(user=user, usernames=data.getlist("first_people")),
        *units_by_code(codes=data.getlist("first_units"), field="first_units"),
    ]
    services.case_dispatch(
        actor=user,
        case=case,
        people=dispatch_people(user=user, usernames=people),
        units=units_by_code(codes=data.getlist("units")),
        first_responders=first,
        note=data.get("note", ""),
    )
    return _("已派单：已通知处置人员，处置群已开通，已推送大屏。")


def _divert(user: User, case: Case, data: QueryDict) -> str:
    unit_code, category_code = data.get("unit", "").strip(), data.get("category", "").strip()
    services.case_divert(
        actor=user,
        case=case,
        unit=unit_by_code(code=unit_code) if unit_code else None,
        category=category_by_code(category_code) if category_code else None,
        note=data.get("note", ""),
    )
    return _("已分流到镇街综合指挥室。")


def _merge(user: User, case: Case, data: QueryDict) -> str:
    into = case_by_reference(user=user, reference=data.get("into", ""), field="into")
    services.case_merge(actor=user, case=case, into=into)
    return _("已合并到 %(number)s。") % {"number": into.number}


def _escalate(user: User, case: Case, data: QueryDict) -> str:
    services.case_escalate(actor=user, case=case, reason=data.get("reason", ""))
    return _("已上报上级指挥中心。")


def _transfer(user: User, case: Case, data: QueryDict) -> str:
    code = data.get("unit", "").strip()
    if not code:
        raise InvalidInput(_("请选择转办单位。"), extra={"field": "unit"})
    services.case_transfer(
        actor=user, case=case, unit=unit_by_code(code=code), reason=data.get("reason", "")
    )
    return _("已转办。")


def _cancel(user: User, case: Case, data: QueryDict) -> str:
    services.case_cancel(actor=user, case=case, reason=data.get("reason", ""))
    return _("已撤销。")


ACTIONS: dict[str, Callable[[User, Case, QueryDict], str]] = {
    "dispatch": _dispatch,
    "divert": _divert,
    "merge": _merge,
    "escalate": _escalate,
    "transfer": _transfer,
    "cancel": _cancel,
}


@login_required
@require_POST
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Runs one action. Success: back to the case (post/redirect/get) with what happened. A
    refusal: the page again, with the reason beside the action and what was typed kept."""
    user = acting_user(request)
    console_check(user)
    handler = ACTIONS.get(action)
    if handler is None:
        return HttpResponse(status=404)
    case = case_get(user=user, case_id=case_id)
    try:
        done = handler(user, case, request.POST)
    except ApplicationError as exc:
        context = {
            **_detail_context(user, case),
            "open_action": action,
            "action_error": str(exc.message),
            **_posted(request.POST),
        }
        return render(request, "cases/console/case.html", context, status=exc.status)
    messages.success(request, done)
    return HttpResponseRedirect(reverse("console-case", args=[case_id]))
