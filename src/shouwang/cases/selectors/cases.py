"""Reading cases, always through what the acting user may see: cases in their jurisdiction,
cases they registered, cases assigned to them or their unit, and cases routed or transferred to
their unit: the one rule of rules/visibility.py, as a filter."""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import (
    Assignment,
    Attachment,
    Callback,
    Case,
    TimelineEvent,
    TimelineKind,
)
from shouwang.cases.rules.visibility import visible_cases_q
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.core.models import User
from shouwang.core.roles import COMMAND_ROLES
from shouwang.core.selectors import node_get, scope_path, unit_by_id


def visible_cases(user: User) -> QuerySet[Case]:
    return Case.objects.filter(visible_cases_q(user))


def cases_list(
    *,
    user: User,
    state: list[str] | None = None,
    category: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    priority: int | None = None,
    node_code: str | None = None,
    search: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    diverted: bool | None = None,
) -> QuerySet[Case]:
    """Newest first. `node_code` narrows to that node's subtree (a node outside the user's
    jurisdiction is NotFound); `search` matches the number, the address or the description."""
    cases = visible_cases(user).select_related("category", "node", "responsible_unit")
    if node_code:
        node = node_get(user=user, code=node_code)
        cases = cases.filter(node__path__startswith=node.path)
    if state:
        cases = cases.filter(state__in=state)
    filters = {"category__code": category, "kind": kind, "channel": channel, "priority": priority}
    cases = cases.filter(**{k: v for k, v in filters.items() if v is not None and v != ""})
    if diverted is not None:
        cases = cases.filter(diverted=diverted)
    if search:
        cases = cases.filter(
            Q(number__iexact=search) | Q(address__contains=search) | Q(description__contains=search)
        )
    if since:
        cases = cases.filter(received_at__gte=since)
    if until:
        cases = cases.filter(received_at__lt=until)
    return cases.order_by("-received_at", "-id")


def _detail_prefetches() -> list[Prefetch[Any]]:
    return [
        Prefetch(
            "timeline",
            queryset=TimelineEvent.objects.select_related("actor").order_by("at", "id"),
        ),
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("person", "unit").order_by("id"),
        ),
        Prefetch("attachments"),
        Prefetch("callbacks", queryset=Callback.objects.select_related("by")),
    ]


def _detail_queryset() -> QuerySet[Case]:
    return Case.objects.select_related(
        "category", "node", "responsible_unit", "merged_into", "diverted_to", "created_by"
    ).prefetch_related(*_detail_prefetches())


def case_get(*, user: User, case_id: int) -> Case:
    """One case with what its detail page shows, or NotFound when the user may not see it."""
    case = _detail_queryset().filter(visible_cases_q(user), pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def case_for_action(*, user: User, case_id: int) -> Case:
    """The bare case row (with category, node and responsible unit) for a service to act on,
    or NotFound when the user may not see it: one indexed query. The service locks and reads
    the row again; the answer is read once after it (case_refetch)."""
    case = (
        visible_cases(user)
        .select_related("category", "node", "responsible_unit")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def case_refetch(*, case_id: int) -> Case:
    """A case just changed by a service that authorised the actor (see cases/api.py `_after`);
    not for looking cases up."""
    return _detail_queryset().get(pk=case_id)


def case_detail_of(*, case: Case, actor: User, people: Sequence[User] = ()) -> Case:
    """The detail of a case a service has just changed and handed back (locked and saved, with
    its category, node and unit), without reading the case again. For answering the actor the
    service authorised, like case_refetch. `people` are users the caller already holds (the
    ones just dispatched): they are not read again.

    The timeline and assignments are read as bare rows, their people and units set from what
    is at hand (the actor, `people`, units from process memory), and only people not at hand
    read in one more query: the prefetch with its joins compiled and built four models a row
    and was the largest cost of answering a dispatch. Photos and callbacks are read only when
    the timeline shows some: each one is recorded with its own event (attachment_added,
    callback) in the append-only timeline, so a timeline without them means there are none."""
    if case.created_by_id is not None and case.created_by_id == actor.pk:
        case.created_by = actor
    case.__dict__.pop("_prefetched_objects_cache", None)
    timeline = list(TimelineEvent.objects.filter(case_id=case.pk).order_by("at", "id"))
    assignments = list(Assignment.objects.filter(case_id=case.pk).order_by("id"))
    by_id = _people_by_id(
        {e.actor_id for e in timeline} | {a.person_id for a in assignments}, [actor, *people]
    )
    for event in timeline:
        event.actor = by_id.get(event.actor_id) if event.actor_id else None
    for assignment in assignments:
        assignment.person = by_id.get(assignment.person_id) if assignment.person_id else None
        assignment.unit = unit_by_id(pk=assignment.unit_id) if assignment.unit_id else None
    _set_prefetched(case, "timeline", TimelineEvent, timeline)
    _set_prefetched(case, "assignments", Assignment, assignments)
    kinds = {event.kind for event in timeline}
    if TimelineKind.ATTACHMENT_ADDED in kinds:
        prefetch_related_objects([case], _detail_prefetches()[2])
    else:
        _set_prefetched(case, "attachments", Attachment, [])
    if TimelineKind.CALLBACK in kinds:
        prefetch_related_objects([case], _detail_prefetches()[3])
    else:
        _set_prefetched(case, "callbacks", Callback, [])
    return case


def _people_by_id(wanted: set[int | None], at_hand: Sequence[User]) -> dict[int, User]:
    by_id = {person.pk: person for person in at_hand}
    missing = {pk for pk in wanted if pk is not None and pk not in by_id}
    if missing:
        by_id.update((p.pk, p) for p in User.objects.filter(pk__in=missing))
    return by_id


def case_as_created(*, case: Case, received: TimelineEvent) -> Case:
    """The detail of a case case_intake has just created, from the objects it holds, without
    reading it back: its timeline is the one RECEIVED event, and it has no assignments, photos
    or callbacks yet. The related rows are set as prefetched, as _detail_queryset would."""
    related: dict[str, tuple[type[models.Model], list[Any]]] = {
        "timeline": (TimelineEvent, [received]),
        "assignments": (Assignment, []),
        "attachments": (Attachment, []),
        "callbacks": (Callback, []),
    }
    for name, (model, rows) in related.items():
        _set_prefetched(case, name, model, rows)
    return case


def _set_prefetched(case: Case, name: str, model: type[models.Model], rows: list[Any]) -> None:
    """What prefetch_related leaves: a queryset whose results are `rows`. A bare queryset,
    not one filtered by case: nothing runs it, and building the filter cost more than the
    rest of the answer's lists."""
    cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
    queryset: QuerySet[Any] = QuerySet(model=model)
    queryset._result_cache = rows
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    cache[name] = queryset


def case_reference(*, user: User, case_id: int, field: str) -> Case:
    """A case named in a request body (merge into …): InvalidInput, not NotFound, when the
    user may not see it, because the request's own case was found."""
    case = visible_cases(user).select_related("node").filter(pk=case_id).first()
    if case is None:
        raise InvalidInput(_("目标事件不存在或不在您的辖区内。"), extra={"field": field})
    return case


def attachment_get(*, user: User, case_id: int, pk: int) -> Attachment:
    """A photo of a case the user may see, or NotFound."""
    attachment = (
        Attachment.objects.filter(case__in=visible_cases(user).filter(pk=case_id).values("pk"))
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise NotFound()
    return attachment


def case_room_allowed(*, user: User, case_id: int) -> bool:
    """Whether the user may join the case room (notify.groups.case_group): command and
    assignees, i.e. whoever may see the case."""
    return visible_cases(user).filter(pk=case_id).exists()


def timeline_since(
    *, user: User, case_id: int, after_id: int = 0, limit: int = 200
) -> list[TimelineEvent]:
    """The case's timeline after event `after_id`, oldest first: what a reconnecting case-room
    client missed. NotFound when the user may not see the case."""
    if not case_room_allowed(user=user, case_id=case_id):
        raise NotFound()
    return list(
        TimelineEvent.objects.filter(case_id=case_id, pk__gt=after_id)
        .select_related("actor")
        .order_by("id")[:limit]
    )


def receipt_code_clean(typed: str) -> str:
    """A receipt code as people type it back: spaces, hyphens and lower case allowed."""
    return re.sub(r"[\s\-]", "", typed).upper()


def case_track(*, receipt_code: str) -> Case:
    """The citizen's view by receipt code: the caller needs nothing else, and the tracking page
    shows only public timeline steps, never personal data."""
    case = (
        Case.objects.select_related("category")
        .prefetch_related(
            Prefetch(
                "timeline",
                queryset=TimelineEvent.objects.filter(is_public=True).order_by("at", "id"),
                to_attr="public_timeline",
            )
        )
        .filter(receipt_code=receipt_code_clean(receipt_code))
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def caller_visible(*, user: User, case: Case) -> bool:
    """Whether the user sees who called (masked phone, name). A 12345 caller who asked for
    confidentiality (GB/T 33358) is shown only to dispatchers and leaders of the jurisdiction,
    not to the units doing the work."""
    if not case.confidential:
        return True
    if not case.node.path.startswith(scope_path(user)):
        return False
    return user.is_superuser or user.role in COMMAND_ROLES
