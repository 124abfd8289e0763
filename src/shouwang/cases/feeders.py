"""The public surface of the closed loop for the apps that feed it: devices, open311, insight,
inspections, mediation, community, housing. A feeder opens a case from its own source, adds
what happened in its own records to the case's timeline, and closes the case when its own rule
says the matter is done. It imports nothing else of `cases` but this module and
`cases.models` names re-exported here; the loop's internals may change behind it.

Authority is the feeder's: it decides who may inspect, mediate or register, and calls these
verbs for them. The verbs keep the loop's own invariants: the transition table, the timeline
and the announcement in the same transaction."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from shouwang.cases.models import Case, CaseChannel, CaseKind, TimelineEvent, TimelineKind
from shouwang.cases.rules.visibility import visible_cases_q
from shouwang.cases.selectors.cases import case_for_action
from shouwang.cases.selectors.categories import category_by_code
from shouwang.cases.services.dispatch import assignments_stand_down
from shouwang.cases.services.intake import case_intake
from shouwang.cases.services.step import case_step
from shouwang.cases.states import FINISHED_STATES, OPEN_STATES, CaseAction, CaseState
from shouwang.core.models import JurisdictionNode, User

__all__ = [
    "FINISHED_STATES",
    "OPEN_STATES",
    "Case",
    "CaseChannel",
    "CaseKind",
    "CaseState",
    "OpenedCase",
    "case_is_open",
    "case_join",
    "case_note",
    "case_open",
    "case_settle",
    "case_visible",
    "cases_visible_q",
]


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    possible_duplicates: list[int]


def case_open(
    *,
    actor: User | None,
    category_code: str,
    description: str,
    channel: CaseChannel,
    kind: CaseKind,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    node: JurisdictionNode | None = None,
    priority: int | None = None,
    reporter_name: str = "",
    caller_phone: str = "",
    source: str = "",
    source_ref: str = "",
) -> OpenedCase:
    """Opens a case from a feeder's record (a failed check item, a mediation application, a
    tenancy overdue for registration). `source`/`source_ref` name the record ("inspections.
    hazard", "42"); they go on the first timeline event so the case page can link back.
    Raises InvalidInput (422) for an unknown or inactive category."""
    category = category_by_code(category_code)
    with transaction.atomic():
        result = case_intake(
            actor=actor,
            category=category,
            description=description,
            channel=channel,
            kind=kind,
            priority=priority,
            lat=lat,
            lng=lng,
            address=address,
            node=node,
            reporter_name=reporter_name,
            caller_phone=caller_phone,
        )
        if source:
            with case_step(
                result.case, actor=actor, action=None, vouched=True, locked=True
            ) as step:
                step.record(
                    TimelineKind.SOURCE_EVENT,
                    data={"source": source, "ref": source_ref, "text": ""},
                    public=False,
                    transition=False,
                    screens=False,
                    room=False,
                )
    return OpenedCase(case=result.case, possible_duplicates=[d.case.pk for d in result.duplicates])


@transaction.atomic
def case_note(
    *,
    case: Case | int,
    actor: User | None,
    text: str,
    source: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
) -> TimelineEvent:
    """Adds what happened in a feeder's record (a re-inspection failed, a session was held, a
    payment arrived) to the case's timeline and announces it. The case's state is unchanged."""
    with case_step(case, actor=actor, action=None, vouched=True) as step:
        return step.record(
            TimelineKind.SOURCE_EVENT,
            data={**(data or {}), "source": source, "text": text.strip()},
            public=public,
        )


@transaction.atomic
def case_join(
    *, case: Case | int, actor: User | None, data: dict[str, Any], announce: bool = True
) -> TimelineEvent:
    """Another report of the matter the case already holds (a second detector of the same
    premises, a device failing again): one more timeline entry, announced unless told not to.
    The case's state is unchanged."""
    with case_step(case, actor=actor, action=None, vouched=True) as step:
        return step.record(
            TimelineKind.DUPLICATE_MERGED,
            data=data,
            public=False,
            screens=announce,
            room=announce,
        )


@transaction.atomic
def case_settle(*, case: Case | int, actor: User | None, note: str, source: str = "") -> Case:
    """Closes a case whose feeder's own rule has finished the matter (办结): a hazard passed its
    re-inspection, an agreement was performed. Anyone still assigned is stood down. Raises
    IllegalTransition (409) when the case is already closed, cancelled or merged."""
    with case_step(case, actor=actor, action=CaseAction.SETTLE, vouched=True) as step:
        stood_down = assignments_stand_down(case=step.case)
        step.move("closed_at")
        step.case.closed_at = step.now
        step.record(
            TimelineKind.SETTLED,
            data={"note": note.strip(), "source": source},
            stood_down=stood_down,
        )
    return step.case


def case_is_open(case_id: int | None) -> bool:
    """Whether the case is still open (in a queue or being worked); True for no case yet."""
    return case_id is None or Case.objects.filter(pk=case_id, state__in=OPEN_STATES).exists()


def case_visible(*, user: User, case_id: int) -> Case:
    """The case if `user` may see it under the loop's visibility rule, else NotFound (404)."""
    return case_for_action(user=user, case_id=case_id)


def cases_visible_q(user: User) -> Q:
    """The loop's visibility rule as a filter on Case, for a feeder's own joins."""
    return visible_cases_q(user)
