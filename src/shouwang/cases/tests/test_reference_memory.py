"""Intake reads categories, nodes, routing rules and service levels from process memory
(core.refcache): what an administrator changes must still reach the next case at once in this
process, and within a second in the others."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouwang.cases import services
from shouwang.cases.models import CaseChannel, Category, RoutingRule, SlaPolicy
from shouwang.cases.selectors.categories import category_by_code
from shouwang.cases.tests.factories import POINT, Loop, category, make_case
from shouwang.core import refcache
from shouwang.core.errors import InvalidInput
from shouwang.core.models import UnitKind
from shouwang.core.services.jurisdiction import unit_create

pytestmark = pytest.mark.django_db


def intake(loop: Loop) -> None:
    lat, lng = POINT["a"]
    services.case_intake(
        actor=loop.person("dispatcher"),
        category=category_by_code("fight"),
        description="商铺门口两人打架",
        channel=CaseChannel.PHONE_110,
        lat=lat,
        lng=lng,
    )


def test_a_second_intake_reads_no_reference_rows(loop: Loop) -> None:
    intake(loop)
    with CaptureQueriesContext(connection) as queries:
        intake(loop)
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("cases_category", "cases_routingrule", "cases_slapolicy", "core_unit"):
        assert f'FROM "{table}"' not in tables
    assert 'FROM "core_jurisdictionnode"' not in tables


def test_a_new_routing_rule_routes_the_next_case(loop: Loop) -> None:
    office = unit_create(
        code="NOISE", name="噪声办", kind=UnitKind.DEPARTMENT, node=loop.city.a.node
    )
    assert make_case(loop, code="noise").responsible_unit == loop.town_command["a"]
    RoutingRule.objects.create(category=category("noise"), node=loop.city.a.node, unit=office)
    assert make_case(loop, code="noise").responsible_unit == office


def test_a_changed_service_level_times_the_next_case(loop: Loop) -> None:
    before = make_case(loop, code="noise")
    SlaPolicy.objects.create(name="噪声", category=category("noise"), accept_within_s=45)
    after = make_case(loop, code="noise")
    assert before.sla["accept_within_s"] != 45
    assert after.sla["accept_within_s"] == 45


def test_a_deactivated_category_is_refused_at_once() -> None:
    category_by_code("noise")
    noise = Category.objects.get(code="noise")
    noise.is_active = False
    noise.save(update_fields=["is_active"])
    with pytest.raises(InvalidInput):
        category_by_code("noise")


def test_another_process_edit_is_seen_when_the_shared_version_moves(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert category_by_code("noise").name == "噪音扰民"
    # Another process renames it: this one hears only of the shared version, not the signal.
    Category.objects.filter(code="noise").update(name="夜间施工噪声")
    assert category_by_code("noise").name == "噪音扰民"  # remembered
    cache.set(refcache.VERSION_KEY, 10**12, timeout=None)
    clock = refcache.time.monotonic() + refcache.CHECK_SECONDS + 0.1
    monkeypatch.setattr(refcache.time, "monotonic", lambda: clock)
    assert category_by_code("noise").name == "夜间施工噪声"
