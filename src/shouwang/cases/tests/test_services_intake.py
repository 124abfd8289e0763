"""One window for every channel: where a case lands, who owns it, its clocks, what the screens
are told, and which earlier cases it probably repeats."""

from datetime import timedelta

import pytest
from django.db import transaction

from shouwang.cases import clock, services
from shouwang.cases.models import Case, CaseChannel, CaseKind, TimelineKind
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.tests.factories import POINT, Loop, category
from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.geo.coords import wgs84_to_gcj02
from shouwang.core.services.pii import pii_lookup_hash, pii_reveal
from shouwang.notify.groups import screen_group
from shouwang.notify.models import OutboxMessage
from shouwang.testing.outbox import groups_of

pytestmark = pytest.mark.django_db


def intake(loop: Loop, **kw: object):
    lat, lng = POINT["a"]
    args = {
        "actor": loop.person("dispatcher"),
        "category": category("fight"),
        "description": "夜市两伙人打架",
        "channel": CaseChannel.PHONE_110,
        "lat": lat,
        "lng": lng,
        **kw,
    }
    return services.case_intake(**args)  # type: ignore[arg-type]


def test_a_call_lands_in_the_grid_of_its_point_owned_by_the_town_station(loop: Loop) -> None:
    case = intake(loop).case
    assert case.node == loop.city.a.grids[0]
    assert case.responsible_unit == loop.city.a.station
    assert case.kind == CaseKind.CALL
    assert case.priority == category("fight").default_priority
    assert case.number == f"SW{clock.now().astimezone(SHANGHAI):%Y%m%d}{case.pk:06d}"
    assert len(case.receipt_code) == 12


def test_a_non_police_matter_is_owned_by_the_town_command_room(loop: Loop) -> None:
    case = intake(loop, category=category("noise"), description="KTV噪音").case
    assert case.responsible_unit == loop.town_command["a"]


def test_deadlines_are_columns_set_from_the_default_service_level(loop: Loop) -> None:
    case = intake(loop).case
    assert case.arrive_deadline == case.received_at + timedelta(minutes=8)
    assert case.feedback_deadline == case.received_at + timedelta(minutes=30)
    assert case.resolve_deadline == case.received_at + timedelta(hours=24)
    assert case.accept_deadline is None  # runs from dispatch
    assert case.next_deadline_at == case.arrive_deadline
    assert case.sla["arrive_within_min"] == 8


def test_gcj02_coordinates_are_stored_as_wgs84(loop: Loop) -> None:
    lat, lng = POINT["a"]
    g_lng, g_lat = wgs84_to_gcj02(lng, lat)
    case = intake(loop, lat=g_lat, lng=g_lng, coord_system="gcj02").case
    assert case.lat == pytest.approx(lat, abs=1e-6)
    assert case.lng == pytest.approx(lng, abs=1e-6)


def test_a_point_outside_every_grid_goes_to_the_reporters_node(loop: Loop) -> None:
    case = intake(loop, lat=29.1, lng=119.99).case  # just west of the city, within the margin
    assert case.node == loop.city.a.node


def test_a_point_far_outside_the_service_area_is_refused(loop: Loop) -> None:
    with pytest.raises(InvalidInput, match="不在本平台服务范围内"):
        intake(loop, lat=31.23, lng=121.47)  # Shanghai: far outside the test city
    assert not Case.objects.exists()


def test_an_anonymous_report_outside_every_grid_is_refused(loop: Loop) -> None:
    with pytest.raises(InvalidInput):
        intake(loop, actor=None, channel=CaseChannel.OPEN311, lat=31.23, lng=121.47)
    assert not Case.objects.exists()


def test_an_anonymous_report_inside_a_grid_is_received(loop: Loop) -> None:
    result = intake(loop, actor=None, channel=CaseChannel.OPEN311)
    assert result.case.created_by is None
    assert result.duplicates == []


def test_only_the_command_centre_takes_110_calls(loop: Loop) -> None:
    with pytest.raises(PermissionDeniedError):
        intake(loop, actor=loop.person("volunteer"))
    report = intake(loop, actor=loop.person("volunteer"), channel=CaseChannel.APP).case
    assert report.kind == CaseKind.REPORT


def test_a_place_is_required(loop: Loop) -> None:
    with pytest.raises(InvalidInput):
        intake(loop, lat=None, lng=None)
    case = intake(loop, lat=None, lng=None, address="稠州北路 88 号").case
    assert case.node == loop.city.a.node


def test_the_dispatcher_may_pick_a_village_when_there_is_only_an_address(loop: Loop) -> None:
    village = loop.city.a.village
    case = intake(loop, lat=None, lng=None, address="某小区", node=village).case
    assert case.node == village
    with pytest.raises(InvalidInput):
        intake(loop, lat=None, lng=None, address="某小区", node=loop.city.b.village)


def test_the_callers_phone_is_kept_encrypted_masked_and_findable(loop: Loop) -> None:
    case = intake(loop, caller_phone="13912345678").case
    assert case.caller_phone_masked == "139****5678"
    assert "13912345678" not in case.caller_phone_cipher
    assert case.caller_phone_hash == pii_lookup_hash(field="caller_phone", value="13912345678")
    clear = pii_reveal(actor=loop.person("dispatcher"), instance=case, field="caller_phone")
    assert clear == "13912345678"


def test_a_bad_phone_number_writes_nothing(loop: Loop) -> None:
    with pytest.raises(InvalidInput):
        intake(loop, caller_phone="12345")
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_intake_puts_the_case_on_every_screen_from_grid_to_city(loop: Loop) -> None:
    case = intake(loop).case
    rows = list(OutboxMessage.objects.values_list("recipient", flat=True))
    assert len(rows) == 1  # one row for all the screens
    recipients = groups_of(rows)
    grid = loop.city.a.grids[0]
    assert recipients == {
        screen_group(code)
        for code in (
            loop.city.node.code,
            loop.city.a.node.code,
            loop.city.a.village.code,
            grid.code,
        )
    }
    assert case.timeline.get().kind == TimelineKind.RECEIVED


def test_nothing_leaves_when_the_intake_transaction_fails(loop: Loop) -> None:
    @transaction.atomic
    def request_that_fails_after_the_service() -> None:
        intake(loop)
        raise RuntimeError("the request failed after the service")

    with pytest.raises(RuntimeError):
        request_that_fails_after_the_service()
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()


# --- duplicates -------------------------------------------------------------------------------


def test_a_second_call_about_the_same_fight_shows_the_first_as_a_duplicate(loop: Loop) -> None:
    first = intake(loop, description="夜市烧烤摊两伙人打架").case
    lat, lng = POINT["a"]
    second = intake(loop, description="烧烤摊有人打架", lat=lat + 0.001, lng=lng)  # ~110 m
    assert [d.case for d in second.duplicates] == [first]
    found = second.duplicates[0]
    assert 100 < (found.distance_m or 0) < 120
    assert found.text_similarity > 0


def test_another_category_at_the_same_place_is_not_a_duplicate(loop: Loop) -> None:
    intake(loop)
    assert intake(loop, category=category("theft"), description="电动车被偷").duplicates == []


def test_the_same_text_far_away_is_not_a_duplicate(loop: Loop) -> None:
    """Known trap: a templated text matches many incidents; place must block first."""
    intake(loop)
    lat, lng = POINT["a"]
    assert intake(loop, lat=lat + 0.01, lng=lng).duplicates == []  # ~1.1 km, same text


def test_an_old_case_is_outside_the_time_window(loop: Loop) -> None:
    with clock.backdated(clock.now() - timedelta(hours=3)):
        intake(loop)
    assert intake(loop).duplicates == []


def test_the_same_caller_from_elsewhere_is_a_duplicate(loop: Loop) -> None:
    first = intake(loop, caller_phone="13912345678").case
    lat, lng = POINT["a"]
    again = intake(loop, caller_phone="13912345678", lat=lat + 0.05, lng=lng)
    assert [d.case for d in again.duplicates] == [first]
    assert again.duplicates[0].same_caller


def test_duplicates_never_show_a_case_the_dispatcher_may_not_see(loop: Loop) -> None:
    # A point on town B's side, 100 m from the border with town A.
    intake(loop, actor=loop.person("dispatcher", "b"), lat=29.1, lng=120.201)
    assert intake(loop, lat=29.1, lng=120.199).duplicates == []


def test_a_device_alarm_lists_no_likely_duplicates(loop: Loop) -> None:
    text = "出租房 301室：烟感 SD-0001 烟雾报警"
    smoke = category("smoke_alarm")
    first = intake(loop, channel=CaseChannel.DEVICE, category=smoke, description=text)
    again = intake(loop, channel=CaseChannel.DEVICE, category=smoke, description=text)
    assert first.case.pk != again.case.pk
    assert again.duplicates == []
    received = again.case.timeline.get(kind=TimelineKind.RECEIVED)
    assert received.data["possible_duplicates"] == []
    # The same two as calls are each other's likely duplicates.
    call = intake(loop, category=smoke, description=text)
    assert {d.case.pk for d in call.duplicates} >= {first.case.pk, again.case.pk}
