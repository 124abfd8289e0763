"""The deadlines sweeper: an overdue step is reported to the responsible unit's supervisors,
then to the level above, exactly once each, with nothing kept in memory between rounds."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from shouwang.cases import services
from shouwang.cases.models import Escalation, Step, TimelineKind
from shouwang.cases.sweeper import deadlines_sweep
from shouwang.cases.tests.factories import Loop, closed, dispatched, fresh, make_case
from shouwang.core.workers import WORKER_LOOPS
from shouwang.notify.groups import person_group, screen_group, unit_group
from shouwang.notify.models import OutboxMessage
from shouwang.testing.outbox import groups_of
from shouwang.testing.services import need_postgresql

pytestmark = pytest.mark.django_db


def overdue_messages(case) -> set[str]:
    return groups_of(
        OutboxMessage.objects.filter(
            subject_id=str(case.pk), payload__type="case.overdue"
        ).values_list("recipient", flat=True)
    )


def test_the_sweeper_runs_as_a_worker_loop() -> None:
    assert "cases.deadlines_sweep" in {loop.name for loop in WORKER_LOOPS}


def test_nothing_is_escalated_before_its_deadline(loop: Loop) -> None:
    case = make_case(loop)
    assert deadlines_sweep(now=case.received_at + timedelta(minutes=7)) == 0
    assert not Escalation.objects.exists()


def test_a_missed_arrival_goes_to_the_units_supervisors_exactly_once(loop: Loop) -> None:
    case = make_case(loop)
    at = case.received_at + timedelta(minutes=9)
    assert deadlines_sweep(now=at) == 1
    escalation = Escalation.objects.get()
    assert (escalation.step, escalation.level, escalation.round) == (Step.ARRIVE, 1, 1)
    assert escalation.target_node == loop.city.a.node  # the station's node
    assert overdue_messages(case) >= {
        person_group(loop.person("leader").pk),
        unit_group(loop.city.a.station.code),
        screen_group(loop.city.a.node.code),
    }
    assert fresh(case).timeline.filter(kind=TimelineKind.OVERDUE).count() == 1
    assert fresh(case).next_deadline_at == case.received_at + timedelta(minutes=16)

    messages = OutboxMessage.objects.count()
    assert deadlines_sweep(now=at) == 0  # run again: nothing new
    assert deadlines_sweep(now=at + timedelta(seconds=30)) == 0
    assert Escalation.objects.count() == 1
    assert OutboxMessage.objects.count() == messages


def test_one_more_allowance_later_the_level_above_is_told(loop: Loop) -> None:
    case = make_case(loop)
    deadlines_sweep(now=case.received_at + timedelta(minutes=9))
    assert deadlines_sweep(now=case.received_at + timedelta(minutes=17)) == 1
    level_two = Escalation.objects.get(level=2)
    assert level_two.target_node == loop.city.node
    assert screen_group(loop.city.node.code) in overdue_messages(case)


def test_a_sweeper_that_was_down_catches_up_on_every_level_at_once(loop: Loop) -> None:
    case = make_case(loop)
    made = deadlines_sweep(now=case.received_at + timedelta(hours=49))  # resolve L2 at 48 h
    steps = set(Escalation.objects.values_list("step", "level"))
    assert steps == {(s, level) for s in ("arrive", "feedback", "resolve") for level in (1, 2)}
    assert made == 6
    assert fresh(case).next_deadline_at is None


def test_a_lost_mark_cannot_escalate_a_step_twice(loop: Loop) -> None:
    """If `next_deadline_at` were set back (a stale write, a restored backup), the Escalation
    rows still say what was done."""
    case = make_case(loop)
    at = case.received_at + timedelta(minutes=9)
    deadlines_sweep(now=at)
    type(case).objects.filter(pk=case.pk).update(next_deadline_at=case.received_at)
    messages = OutboxMessage.objects.count()
    assert deadlines_sweep(now=at) == 0
    assert Escalation.objects.count() == 1
    assert OutboxMessage.objects.count() == messages


def test_the_database_refuses_a_second_escalation_of_one_step_and_level(loop: Loop) -> None:
    case = make_case(loop)
    deadlines_sweep(now=case.received_at + timedelta(minutes=9))
    first = Escalation.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(
            case=case, step=first.step, round=first.round, level=1, deadline=first.deadline
        )


def test_a_step_done_in_time_is_not_escalated(loop: Loop) -> None:
    case = dispatched(loop)
    services.assignment_accept(actor=loop.person("responder"), case=case)
    lat, lng = case.lat, case.lng
    services.assignment_arrive(actor=loop.person("responder"), case=fresh(case), lat=lat, lng=lng)
    deadlines_sweep(now=case.received_at + timedelta(minutes=20))
    assert not Escalation.objects.filter(step__in=(Step.ACCEPT, Step.ARRIVE)).exists()


def test_a_task_not_accepted_in_time_reminds_the_assignee_too(loop: Loop) -> None:
    case = dispatched(loop)
    deadlines_sweep(now=case.dispatched_at + timedelta(minutes=4))
    assert Escalation.objects.filter(step=Step.ACCEPT, level=1).exists()
    assert person_group(loop.person("responder").pk) in overdue_messages(case)


def test_a_rejected_resolution_gets_its_own_acceptance_clock(loop: Loop) -> None:
    from shouwang.cases.tests.factories import resolved

    case = resolved(loop)
    case = services.case_reject(actor=loop.person("leader"), case=case, reason="不合格")
    deadlines_sweep(now=case.accept_deadline + timedelta(seconds=1))
    assert Escalation.objects.filter(step=Step.ACCEPT, round=2, level=1).exists()


def test_a_closed_case_has_no_clock_running(loop: Loop) -> None:
    case = closed(loop)
    assert case.next_deadline_at is None
    assert deadlines_sweep(now=case.received_at + timedelta(days=30)) == 0


@pytest.fixture
def postgresql() -> None:
    """Skips before any data is made: the test database is then flushed empty."""
    need_postgresql()


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_escalate_each_step_exactly_once(postgresql: None, loop: Loop) -> None:
    cases = [make_case(loop, description=f"第{i}起打架") for i in range(12)]
    at = max(c.received_at for c in cases) + timedelta(minutes=9)
    start, results, errors = threading.Barrier(2), [], []

    def sweeper() -> None:
        try:
            start.wait()
            results.append(deadlines_sweep(now=at, batch=5))  # small batches: more overlap
            results.append(deadlines_sweep(now=at))
        except Exception as exc:  # noqa: BLE001  (reported to the test thread below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(results) == len(cases)
    assert Escalation.objects.count() == len(cases)
    assert set(Escalation.objects.values_list("case_id", flat=True)) == {c.pk for c in cases}
    events = TimelineKind.OVERDUE
    assert sum(c.timeline.filter(kind=events).count() for c in cases) == len(cases)
    assert deadlines_sweep(now=at) == 0  # and a third run finds nothing
