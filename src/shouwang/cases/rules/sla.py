"""Service levels and deadlines. The most specific active SlaPolicy wins: the case's own category
before a parent category before any category; then one that names the priority; then one that
names the kind of town (110 practice: 5 minutes in town streets, 10 in the suburbs and towns).
Without any policy the built-in default applies: accept in 3 minutes, arrive in 8 (the figure
seed 003 reports against), feed back in 30, resolve in 24 hours.

The policy is copied onto the case at intake (`Case.sla`), so editing a policy changes new
cases, not running ones."""

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import chinese_calendar
from django.db.models import Q
from django.utils.timezone import get_default_timezone

from shouwang.cases.models import Case, Category, SlaPolicy, Step
from shouwang.cases.rules.unit_routing import category_chain
from shouwang.cases.states import OPEN_STATES, CaseState
from shouwang.core.refcache import remembered

logger = logging.getLogger(__name__)
SHANGHAI = get_default_timezone()  # settings.TIME_ZONE


@dataclass(frozen=True)
class Sla:
    policy_id: int | None
    accept_within_s: int
    arrive_within_min: int | None
    feedback_within_min: int | None
    resolve_within_h: int | None
    resolve_working_days: int | None
    requires_ack: bool

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Sla":
        if not data:
            return DEFAULT_SLA
        return cls(**{k: data.get(k, getattr(DEFAULT_SLA, k)) for k in DEFAULT_SLA.as_json()})

    @property
    def accept_within(self) -> timedelta:
        return timedelta(seconds=self.accept_within_s)


DEFAULT_SLA = Sla(
    policy_id=None,
    accept_within_s=180,
    arrive_within_min=8,
    feedback_within_min=30,
    resolve_within_h=24,
    resolve_working_days=None,
    requires_ack=True,
)


def sla_for(*, category: Category, priority: int, town_kind: str) -> Sla:
    """The policy for new cases, kept in process memory (core.refcache) until a policy or
    category changes."""
    return remembered(
        ("sla", category.pk, priority, town_kind),
        lambda: _sla_load(category=category, priority=priority, town_kind=town_kind),
    )


def _sla_load(*, category: Category, priority: int, town_kind: str) -> Sla:
    chain = category_chain(category)
    rank = {c.pk: i for i, c in enumerate(chain)}
    policies = list(
        SlaPolicy.objects.filter(is_active=True)
        .filter(Q(category__in=chain) | Q(category__isnull=True))
        .filter(Q(priority=priority) | Q(priority__isnull=True))
        .filter(Q(town_kind=town_kind) | Q(town_kind=""))
    )
    if not policies:
        return DEFAULT_SLA

    def specificity(p: SlaPolicy) -> tuple[int, int, int, int]:
        category_rank = len(chain) if p.category_id is None else rank[p.category_id]
        return (category_rank, p.priority is None, p.town_kind == "", -p.pk)

    best = min(policies, key=specificity)
    return Sla(
        policy_id=best.pk,
        accept_within_s=best.accept_within_s,
        arrive_within_min=best.arrive_within_min,
        feedback_within_min=best.feedback_within_min,
        resolve_within_h=best.resolve_within_h,
        resolve_working_days=best.resolve_working_days,
        requires_ack=best.requires_ack,
    )


_years_warned: set[int] = set()


def is_working_day(day: date) -> bool:
    """Chinese working days, 调休 included. chinese-calendar only knows the years the State
    Council has published; beyond them, Monday to Friday, with a warning once per year."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _years_warned:
            _years_warned.add(day.year)
            logger.warning(
                "chinese-calendar has no holiday data for %s; counting Monday-Friday as "
                "working days",
                day.year,
                extra={"year": day.year},
            )
        return day.weekday() < 5


def after_working_days(start: datetime, days: int) -> datetime:
    """The end (midnight Asia/Shanghai) of the `days`-th working day after `start`'s day:
    "办结 within N working days" counts from the day after receipt, as 12345 offices do."""
    day, counted = start.astimezone(SHANGHAI).date(), 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def resolve_deadline_from(sla: Sla, start: datetime) -> datetime | None:
    if sla.resolve_working_days:
        return after_working_days(start, sla.resolve_working_days)
    if sla.resolve_within_h:
        return start + timedelta(hours=sla.resolve_within_h)
    return None


def apply_intake_deadlines(case: Case, sla: Sla) -> None:
    """Arrival, feedback and resolution run from receipt; acceptance from each dispatch."""
    start = case.received_at
    case.sla = sla.as_json()
    case.arrive_deadline = (
        start + timedelta(minutes=sla.arrive_within_min) if sla.arrive_within_min else None
    )
    case.feedback_deadline = (
        start + timedelta(minutes=sla.feedback_within_min) if sla.feedback_within_min else None
    )
    case.resolve_deadline = resolve_deadline_from(sla, start)


def needs_arrival(case: Case) -> bool:
    return case.arrive_deadline is not None


@dataclass(frozen=True)
class PendingStep:
    step: Step
    deadline: datetime
    allowance: timedelta  # one more of this is granted before level 2

    def due_at(self, level: int) -> datetime:
        return self.deadline + self.allowance * (level - 1)


def _allowance(sla: Sla, step: Step, case: Case) -> timedelta:
    if step == Step.ACCEPT:
        return sla.accept_within
    if step == Step.ARRIVE:
        return timedelta(minutes=sla.arrive_within_min or 0)
    if step == Step.FEEDBACK:
        return timedelta(minutes=sla.feedback_within_min or 0)
    if sla.resolve_working_days:
        return timedelta(days=sla.resolve_working_days)
    return timedelta(hours=sla.resolve_within_h or 0)


def pending_steps(case: Case) -> list[PendingStep]:
    """The steps whose deadline still matters in the case's current state. Acceptance is owed
    while the case waits for its first assignee to accept in this round; arrival, feedback and
    resolution while the case is open and the step has not happened."""
    sla, found = Sla.from_json(case.sla), []
    candidates: list[tuple[Step, datetime | None, bool]] = [
        (Step.ACCEPT, case.accept_deadline, case.state == CaseState.DISPATCHED),
        (Step.ARRIVE, case.arrive_deadline, case.arrived_at is None),
        (Step.FEEDBACK, case.feedback_deadline, case.feedback_at is None),
        (Step.RESOLVE, case.resolve_deadline, case.resolved_at is None),
    ]
    for step, deadline, owed in candidates:
        if deadline is not None and owed and case.state in OPEN_STATES:
            found.append(PendingStep(step, deadline, _allowance(sla, step, case)))
    return found


def refresh_next_deadline(case: Case) -> None:
    """Sets when the sweeper must next look at the case: the earliest deadline of a step still
    owed. Steps already escalated are the sweeper's to skip (it moves the mark past them), so
    services need not query escalations here."""
    dues = [p.deadline for p in pending_steps(case)]
    case.next_deadline_at = min(dues) if dues else None
