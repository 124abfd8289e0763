"""The step kernel: the one skeleton every change to an existing case runs through.

    with case_step(case, actor=actor, action=CaseAction.CLOSE) as step:
        step.move("closed_at")             # the verb's own rule: what changes
        step.case.closed_at = step.now
        step.record(TimelineKind.CLOSED, data={"note": note})

`case_step` takes the case row's lock (SELECT … FOR UPDATE), checks that the actor sees the
case (rules/visibility.py, else NotFound), that the state machine allows the action
(states.py, else IllegalTransition), the action's own guard (rules/actions.py) and that the
actor holds the authority for it (rules/authority.py, else PermissionDeniedError; for an
assignee's action it finds their assignment, `step.assignment`). The body applies the verb's
rule. When the body ends without error the kernel refreshes the sweeper's next deadline, saves
the fields the step changed, writes the step's timeline events (one INSERT) and announces each
to the people, units, room and screens it names (the outbox, same transaction).

Steps the system or a feeder takes on someone's word (the sweeper, a device alarm, a citizen's
receipt code, a feeder app's own rule) pass `vouched=True`: visibility and authority are the
caller's, the transition table and guards still apply. `action=None` is a step that does not
move the case (a note from a feeder, the sweeper's overdue alert).

The case row is locked alone: its category, node and responsible unit come from process memory
(core.refcache), where intake reads them too; a join under FOR UPDATE would lock rows every
other case shares."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from shouwang.cases import clock
from shouwang.cases.models import Assignment, Case, TimelineEvent, TimelineKind
from shouwang.cases.rules.actions import guard_refusal
from shouwang.cases.rules.authority import AUTHORITY, Assignee, actor_assignment, require_visible
from shouwang.cases.rules.sla import refresh_next_deadline
from shouwang.cases.selectors.categories import category_by_id
from shouwang.cases.services.notifications import announce
from shouwang.cases.states import CaseAction, CaseState, transition_target
from shouwang.core.errors import NotFound
from shouwang.core.models import JurisdictionNode, Unit, User
from shouwang.core.selectors import node_by_id, unit_by_id


def _with_references(case: Case) -> Case:
    case.category = category_by_id(case.category_id)
    case.node = node_by_id(pk=case.node_id)
    if case.responsible_unit_id is not None:
        case.responsible_unit = unit_by_id(pk=case.responsible_unit_id)
    return case


def lock_case(case: Case | int) -> Case:
    """The case, locked until the transaction ends, with its category (and the category's
    parent), node and responsible unit; NotFound when there is no such case."""
    pk = case if isinstance(case, int) else case.pk
    found = Case.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return _with_references(found)


def lock_case_due(*, case_id: int, now: datetime) -> Case | None:
    """The case locked for the deadlines sweeper, when it is due by `now` and no other worker
    holds it (SKIP LOCKED); else None."""
    found = (
        Case.objects.select_for_update(skip_locked=True)
        .filter(pk=case_id, next_deadline_at__lte=now)
        .first()
    )
    return _with_references(found) if found is not None else None


def assignees_of(assignments: Iterable[Assignment]) -> tuple[list[User], list[Unit]]:
    """Whom to tell about these assignments: the person where there is one, else the unit."""
    people: list[User] = []
    units: list[Unit] = []
    for assignment in assignments:
        if assignment.person is not None:
            people.append(assignment.person)
        elif assignment.unit is not None:
            units.append(assignment.unit)
    return people, units


def timeline_event(
    *,
    case: Case,
    kind: TimelineKind,
    actor: User | None,
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
) -> TimelineEvent:
    """One timeline event, not yet saved (全流程可溯: timestamped, attributed, kept)."""
    return TimelineEvent(
        case=case,
        at=clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        data=data or {},
        is_public=public,
    )


def timeline_save(events: Sequence[TimelineEvent]) -> None:
    """Saves the events of one step, in order, in one INSERT (ids come back on PostgreSQL and
    SQLite 3.35+)."""
    if events:
        TimelineEvent.objects.bulk_create(events)


@dataclass
class _Record:
    event: TimelineEvent
    also: list[TimelineEvent]
    tell: dict[str, Any]
    saved: bool = False


@dataclass
class Step:
    """One step being taken on a locked case; see the module docstring."""

    case: Case
    actor: User | None
    action: CaseAction | None
    from_state: CaseState
    target: CaseState
    now: datetime
    held: Assignment | None = None
    changed: set[str] = field(default_factory=set)
    records: list[_Record] = field(default_factory=list)
    deadline_set: bool = False

    @property
    def assignment(self) -> Assignment:
        """The actor's assignment an assignee's action acts on (found by the kernel)."""
        assert self.held is not None, "only an assignee's action holds an assignment"
        return self.held

    def move(self, *fields: str) -> None:
        """Moves the case to the action's target state, and marks `fields` changed too."""
        self.case.state = self.target
        self.change("state", *fields)

    def change(self, *fields: str) -> None:
        """Marks fields of the case the step changed: saved when the step ends."""
        self.changed.update(fields)

    def set_next_deadline(self, at: datetime | None) -> None:
        """The sweeper's own next look, instead of the earliest deadline still owed."""
        self.case.next_deadline_at, self.deadline_set = at, True
        self.change("next_deadline_at")

    def record(
        self,
        kind: TimelineKind,
        *,
        data: dict[str, Any] | None = None,
        public: bool = True,
        transition: bool = True,
        case: Case | None = None,
        people: Iterable[User] = (),
        units: Iterable[Unit] = (),
        stood_down: Iterable[Assignment] = (),
        extra_screens: Iterable[JurisdictionNode] = (),
        screens: bool = True,
        room: bool = True,
        requires_ack: bool = False,
        ack_within: timedelta | None = None,
        also: Sequence[TimelineEvent] = (),
        save_now: bool = False,
    ) -> TimelineEvent:
        """A timeline event of the step, announced when the step ends to the room and screens
        (unless told not to), to `people` and `units`, and to whoever `stood_down` names (the
        person, else the unit). `transition` puts the from and to states on it; `case` is
        another case the step touches (the survivor of a merge); `also` are further events
        saved with it and not announced (the room opening with a first dispatch).
        `save_now` saves it at once, for a row of the step that points to it (a photo)."""
        on = case or self.case
        event = timeline_event(
            case=on,
            kind=kind,
            actor=self.actor,
            from_state=self.from_state if transition and case is None else "",
            to_state=self.case.state if transition and case is None else "",
            data=data,
            public=public,
        )
        for later in also:  # after this one on the timeline, which orders by time then id
            later.at = event.at
        told_people, told_units = assignees_of(stood_down)
        tell = {
            "people": [*told_people, *people],
            "units": [*told_units, *units],
            "extra_screens": list(extra_screens),
            "screens": screens,
            "room": room,
            "requires_ack": requires_ack,
            "ack_within": ack_within,
        }
        self.records.append(_Record(event=event, also=list(also), tell=tell, saved=save_now))
        if save_now:
            timeline_save([event, *also])
        return event

    def finish(self) -> None:
        if not self.deadline_set:
            refresh_next_deadline(self.case)
        if self.changed:
            self.case.save(update_fields=sorted({*self.changed, "updated_at", "next_deadline_at"}))
        timeline_save([e for r in self.records if not r.saved for e in (r.event, *r.also)])
        for record in self.records:
            announce(record.event.case, record.event, **record.tell)


def step_begin(
    case: Case | int,
    *,
    actor: User | None,
    action: CaseAction | None,
    vouched: bool = False,
    locked: bool = False,
) -> Step:
    """Locks (unless `locked`: the caller holds the lock) and checks; see the module
    docstring. The caller ends the step with `Step.finish`, or uses `case_step`."""
    row = case if locked and isinstance(case, Case) else lock_case(case)
    if not vouched:
        assert actor is not None, "an unvouched step has an actor"
        require_visible(actor, row)
    state = CaseState(row.state)
    target = transition_target(state, action) if action is not None else state
    refusal = guard_refusal(action, row) if action is not None else None
    if refusal is not None:
        raise refusal
    held = None
    if not vouched and action is not None:
        assert actor is not None
        who = AUTHORITY[action]
        if isinstance(who, Assignee):
            held = actor_assignment(actor, row, states=who.states)
        else:
            who.require(actor, row)
    return Step(
        case=row, actor=actor, action=action, from_state=state, target=target, now=clock.now(),
        held=held,
    )  # fmt: skip


@contextmanager
def case_step(
    case: Case | int,
    *,
    actor: User | None,
    action: CaseAction | None,
    vouched: bool = False,
    locked: bool = False,
) -> Iterator[Step]:
    """One step of the loop on an existing case, inside the caller's transaction (every verb
    is one: @transaction.atomic), so that the lock holds until its commit."""
    assert transaction.get_connection().in_atomic_block, "a step runs in a transaction"
    step = step_begin(case, actor=actor, action=action, vouched=vouched, locked=locked)
    yield step
    step.finish()
