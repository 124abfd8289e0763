"""Participation stars: one rule for teams and groups, a row per unit and month."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.community.models import AlertResponse, Shift, UnitRating
from shouwang.community.services.groups import alert_raise
from shouwang.community.services.ratings import stars_for, unit_ratings_compute
from shouwang.community.tests.conftest import Forces
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def test_stars_follow_the_documented_rule() -> None:
    assert [stars_for(s) for s in (0, 24, 25, 50, 99, 100)] == [1, 1, 2, 3, 4, 5]


def test_a_team_and_a_group_are_rated_on_participation(forces: Forces) -> None:
    now = timezone.now()
    Shift.objects.create(
        team=forces.loop.patrol,
        person=forces.volunteer,
        node=forces.loop.patrol.node,
        started_at=now,  # this month, whenever the test runs; the hours are the stored ones
        ended_at=now,
        patrol_seconds=4 * 3600,
    )
    alert = alert_raise(actor=forces.volunteer, group_code="SH-A1", lat=29.1, lng=120.05)
    first = AlertResponse.objects.filter(alert=alert).order_by("id").first()
    assert first is not None
    AlertResponse.objects.filter(pk=first.pk).update(
        arrived_at=alert.raised_at + timedelta(seconds=100)
    )
    assert unit_ratings_compute() >= 2
    team = UnitRating.objects.get(unit=forces.loop.patrol)
    assert (team.patrol_hours, team.score, team.stars) == (4.0, 50, 3)  # 4 h for one member
    group = UnitRating.objects.get(unit=forces.group)
    assert (group.score, group.stars) == (33, 2)  # one of three arrived in time
    unit_ratings_compute()
    assert UnitRating.objects.filter(unit=forces.group).count() == 1
    rows = ApiClient(forces.person("leader").username).get(
        "/api/v1/community/unit-ratings", node=forces.loop.city.a.node.code
    )
    stars = {r["unit"]: r["stars"] for r in rows.json()}
    assert (stars["PT-A"], stars["SH-A1"]) == (3, 2)
