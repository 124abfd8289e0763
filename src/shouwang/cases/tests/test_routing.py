"""Who answers for a case: routing rules by category and place with their fallback chain, and
the service level that sets its clocks."""

from datetime import date, datetime, timedelta

import pytest

from shouwang.cases.models import RoutingRule, SlaPolicy
from shouwang.cases.rules.sla import (
    SHANGHAI,
    after_working_days,
    is_working_day,
    sla_for,
)
from shouwang.cases.rules.unit_routing import responsible_unit_for
from shouwang.cases.tests.factories import Loop, category, make_case
from shouwang.core.models import Unit, UnitKind
from shouwang.core.selectors import node_lineage
from shouwang.core.services.jurisdiction import unit_create

pytestmark = pytest.mark.django_db


def unit(code: str, loop: Loop, node=None) -> Unit:
    return unit_create(
        code=code, name=code, kind=UnitKind.DEPARTMENT, node=node or loop.city.a.node
    )


def route(loop: Loop, code: str, node=None) -> Unit | None:
    grid = node or loop.city.a.grids[0]
    return responsible_unit_for(category=category(code), lineage=node_lineage(node=grid))


def test_without_rules_police_matters_go_to_the_town_station(loop: Loop) -> None:
    assert route(loop, "theft") == loop.city.a.station


def test_without_rules_other_matters_go_to_the_town_command_room(loop: Loop) -> None:
    assert route(loop, "garbage") == loop.town_command["a"]


def test_without_a_town_unit_the_city_command_centre_answers(loop: Loop) -> None:
    loop.town_command["a"].is_active = False
    loop.town_command["a"].save()
    assert route(loop, "garbage") == loop.command_centre


def test_the_deepest_matching_rule_wins(loop: Loop) -> None:
    city_wide, village = unit("CITY", loop, loop.city.node), unit("VILLAGE", loop)
    RoutingRule.objects.create(category=category("noise"), node=loop.city.node, unit=city_wide)
    RoutingRule.objects.create(category=None, node=loop.city.a.village, unit=village)
    assert route(loop, "noise") == village  # a wildcard rule nearer the place beats it


def test_at_one_node_the_exact_category_beats_its_parent_which_beats_any(loop: Loop) -> None:
    exact, parent, anything = unit("EXACT", loop), unit("PARENT", loop), unit("ANY", loop)
    node = loop.city.a.node
    RoutingRule.objects.create(category=None, node=node, unit=anything)
    RoutingRule.objects.create(category=category("city_management"), node=node, unit=parent)
    assert route(loop, "noise") == parent
    RoutingRule.objects.create(category=category("noise"), node=node, unit=exact)
    assert route(loop, "noise") == exact
    assert route(loop, "theft") == anything


def test_order_breaks_ties_and_inactive_rules_are_ignored(loop: Loop) -> None:
    first, second = unit("FIRST", loop), unit("SECOND", loop)
    node = loop.city.a.node
    RoutingRule.objects.create(category=category("noise"), node=node, unit=second, order=20)
    rule = RoutingRule.objects.create(category=category("noise"), node=node, unit=first, order=10)
    assert route(loop, "noise") == first
    rule.is_active = False
    rule.save()
    assert route(loop, "noise") == second


def test_a_rule_of_another_town_does_not_apply(loop: Loop) -> None:
    RoutingRule.objects.create(
        category=None, node=loop.city.b.node, unit=unit("B", loop, loop.city.b.node)
    )
    assert route(loop, "theft") == loop.city.a.station


def test_intake_uses_the_routing(loop: Loop) -> None:
    dept = unit("DEPT-NOISE", loop)
    RoutingRule.objects.create(category=category("noise"), node=loop.city.node, unit=dept)
    assert make_case(loop, code="noise", description="噪音").responsible_unit == dept


# --- service levels ---------------------------------------------------------------------------


def test_the_most_specific_policy_wins(loop: Loop) -> None:
    SlaPolicy.objects.create(name="any", arrive_within_min=15)
    SlaPolicy.objects.create(name="priority 1", priority=1, arrive_within_min=10)
    SlaPolicy.objects.create(name="street", priority=1, town_kind="street", arrive_within_min=5)
    SlaPolicy.objects.create(name="public order", category=category("public_order"))
    fight = category("fight")
    assert sla_for(category=fight, priority=1, town_kind="town").policy_id == (
        SlaPolicy.objects.get(name="public order").pk  # a parent category beats any category
    )
    theft = category("traffic_accident")
    assert sla_for(category=theft, priority=1, town_kind="street").arrive_within_min == 5
    assert sla_for(category=theft, priority=1, town_kind="town").arrive_within_min == 10
    assert sla_for(category=theft, priority=3, town_kind="town").arrive_within_min == 15


def test_no_policy_means_the_built_in_eight_minutes(loop: Loop) -> None:
    sla = sla_for(category=category("fight"), priority=1, town_kind="street")
    assert sla.policy_id is None and sla.arrive_within_min == 8


def test_110_practice_five_minutes_in_town_streets(loop: Loop) -> None:
    SlaPolicy.objects.create(name="城区", town_kind="street", arrive_within_min=5)
    case = make_case(loop)  # the test towns are streets (街道)
    assert case.arrive_deadline == case.received_at + timedelta(minutes=5)


def test_working_days_follow_the_chinese_calendar() -> None:
    # 2026: National Day 1–7 October off; Saturday 10 October is a working day (调休).
    received = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    assert after_working_days(received, 3) == datetime(2026, 10, 11, 0, 0, tzinfo=SHANGHAI)
    assert is_working_day(date(2026, 9, 20))  # a Sunday made a working day


def test_beyond_the_calendars_years_monday_to_friday_with_a_warning(caplog) -> None:
    from shouwang.cases.rules import sla

    sla._years_warned.discard(2040)
    with caplog.at_level("WARNING", logger="shouwang.cases.rules.sla"):
        friday = datetime(2040, 1, 6, 9, 0, tzinfo=SHANGHAI)  # a Friday
        assert after_working_days(friday, 1) == datetime(2040, 1, 10, 0, 0, tzinfo=SHANGHAI)
    assert "2040" in caplog.text


def test_a_policy_in_working_days_sets_the_resolve_deadline(loop: Loop) -> None:
    SlaPolicy.objects.create(
        name="12345", category=category("noise"), arrive_within_min=None, resolve_working_days=5
    )
    case = make_case(loop, code="noise", description="噪音")
    assert case.arrive_deadline is None
    assert case.resolve_deadline is not None
    assert case.resolve_deadline.astimezone(SHANGHAI).time() == datetime.min.time()
