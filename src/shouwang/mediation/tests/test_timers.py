"""The file's timers: an overdue file escalates once, an obligation is reminded of before its
due date once, and a missed one is noted on the case once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.cases import feeders
from shouwang.mediation import timers
from shouwang.mediation.models import MediationFile, Obligation
from shouwang.mediation.tests.conftest import Mediation, call, open_file
from shouwang.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_an_overdue_file_is_noted_on_its_case_and_escalated_to_leaders_once(
    mediation: Mediation,
) -> None:
    dispatcher = mediation.api("dispatcher")
    file_id = open_file(dispatcher, call(dispatcher))
    after = timezone.now() + timedelta(days=31)
    assert timers.files_overdue_escalate(now=after) == 1
    assert timers.files_overdue_escalate(now=after) == 0
    case = MediationFile.objects.get(pk=file_id).case
    assert case.timeline.filter(data__text="调解超期未结，已上报").count() == 1
    assert OutboxMessage.objects.filter(
        person=mediation.person("leader"), payload__type="mediation.overdue"
    ).exists()


def test_a_file_within_its_limit_is_not_escalated(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    open_file(dispatcher, call(dispatcher))
    assert timers.files_overdue_escalate(now=timezone.now() + timedelta(days=29)) == 0


def test_an_obligation_is_reminded_before_due_and_noted_when_missed(
    mediation: Mediation,
) -> None:
    dispatcher, mediator = mediation.api("dispatcher"), mediation.api("mediator")
    file_id = open_file(dispatcher, call(dispatcher))
    due = timezone.localdate() + timedelta(days=2)
    mediator.post(
        f"/api/v1/mediations/{file_id}/agreement",
        {"obligations": [{"debtor": "respondent", "amount": "300", "due": str(due)}]},
    )
    now = timezone.now()
    assert timers.obligations_remind(now=now) == 1
    assert timers.obligations_remind(now=now) == 0
    assert OutboxMessage.objects.filter(payload__type="mediation.due_soon").count() == 1
    assert timers.obligations_remind(now=now + timedelta(days=4)) == 1
    obligation = Obligation.objects.get()
    assert obligation.missed_noted_at is not None
    case = feeders.Case.objects.get(pk=MediationFile.objects.get(pk=file_id).case_id)
    assert case.timeline.filter(data__obligation=obligation.pk).count() == 1
