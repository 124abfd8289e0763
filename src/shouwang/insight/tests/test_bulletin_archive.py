"""Bulletins issued by the worker at their set times: stored once per period, announced to the
leaders of the city through the outbox, listed on the archive page for leaders and admins."""

from datetime import datetime, timedelta

import pytest
from django.test import Client

from shouwang.cases.selectors import SHANGHAI
from shouwang.insight.archive import bulletins_tick, due_issues
from shouwang.insight.models import BulletinIssue
from shouwang.insight.tests.history import History
from shouwang.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_daily_bulletin_is_issued_once_after_its_time_and_announced_to_leaders(
    history: History,
) -> None:
    morning = datetime.combine(history.first + timedelta(days=1), datetime.min.time(), SHANGHAI)
    assert bulletins_tick(now=morning.replace(hour=7)) == 0  # before 07:30
    assert bulletins_tick(now=morning.replace(hour=8)) == 1
    assert bulletins_tick(now=morning.replace(hour=9)) == 0
    issue = BulletinIssue.objects.get()
    assert issue.kind == "daily" and issue.first == history.first
    assert bytes(issue.pdf).startswith(b"%PDF")
    told = OutboxMessage.objects.filter(subject_type="insight.BulletinIssue")
    assert told.exists() and all(m.payload["type"] == "bulletin" for m in told)


def test_a_monday_brings_the_weekly_and_the_first_of_the_month_the_monthly() -> None:
    monday_first = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)  # a Monday and the 1st
    assert [kind for kind, _day in due_issues(monday_first)] == ["daily", "weekly", "monthly"]


def test_the_archive_lists_issues_for_a_leader_and_refuses_a_volunteer(history: History) -> None:
    morning = datetime.combine(history.first + timedelta(days=1), datetime.min.time(), SHANGHAI)
    bulletins_tick(now=morning.replace(hour=8))
    issue = BulletinIssue.objects.get()
    leader, volunteer = Client(), Client()
    leader.force_login(history.loop.person("leader"))
    volunteer.force_login(history.loop.person("volunteer"))

    page = leader.get("/bulletins/")
    assert page.status_code == 200 and issue.title in page.content.decode()
    pdf = leader.get(f"/bulletins/{issue.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert volunteer.get("/bulletins/").status_code == 403
    assert leader.get(f"/bulletins/{issue.pk}/exe").status_code == 404
