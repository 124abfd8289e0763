"""The demo's cases: produced through the services, in every stage of the loop."""

import pytest

from shouwang.cases.demo import demo_rules_install, seed_demo_cases
from shouwang.cases.models import Case, SlaPolicy
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import Loop

pytestmark = pytest.mark.django_db


def test_demo_cases_span_the_loop(loop: Loop) -> None:
    assert seed_demo_cases(seed=7, count=120) == 120
    states = set(Case.objects.values_list("state", flat=True))
    assert {CaseState.CLOSED, CaseState.CANCELLED, CaseState.TRANSFERRED} <= states
    assert len(states) >= 5
    assert Case.objects.filter(diverted=True).exists()
    assert Case.objects.filter(callbacks__isnull=False).exists()
    for case in Case.objects.all():
        assert case.timeline.exists()  # every one went through the services


def test_demo_rules_are_installed_once() -> None:
    added, _rules = demo_rules_install()
    assert added == SlaPolicy.objects.count() > 0
    assert demo_rules_install() == (0, 0)


def test_without_a_city_no_demo_cases_are_made(db: None) -> None:
    assert seed_demo_cases(seed=1, count=10) == 0
