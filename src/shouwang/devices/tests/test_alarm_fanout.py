"""An alarm becomes a case at once and reaches the premises' five contacts; a storm in one
building stays one case; contacts acknowledge, are reminded, escalated; the micro fire station
is timed; false alarms are counted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.cases.models import Assignment, Case, TimelineKind
from shouwang.core.models import Role
from shouwang.devices.links import ack_link_token
from shouwang.devices.models import Alarm, ContactNotice, Device, Incident
from shouwang.devices.services.responses import alarm_notices_sweep
from shouwang.devices.tests.factories import Building, building, person
from shouwang.devices.tests.pushing import generic_post
from shouwang.notify.groups import person_group, screen_group, unit_group
from shouwang.notify.models import OutboxMessage
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City
from shouwang.testing.outbox import groups_of

pytestmark = pytest.mark.django_db

SMOKE = {"Alarm_Status": 1, "AlarmLevel": 2}


def fire(device: Device, message_id: str = "a1") -> int:
    response = generic_post(device.serial, {"id": message_id, "values": SMOKE})
    assert response.status_code == 200, response.content
    return int(response.json()["alarms"][0])


def test_alarm_opens_an_urgent_alarm_case_at_the_premises(house: Building) -> None:
    alarm = Alarm.objects.get(pk=fire(house.devices[0]))
    case = Case.objects.get(pk=alarm.incident.case_id)
    assert (case.kind, case.channel, case.priority, case.state) == (
        "alarm",
        "device",
        1,
        "dispatched",
    )
    assert case.node == house.premises.node
    assert case.category.code == "smoke_alarm"
    assert "101" in case.description


def test_alarm_reaches_all_five_contacts_and_the_screens_at_once(house: Building) -> None:
    alarm = Alarm.objects.get(pk=fire(house.devices[0]))
    roles = set(ContactNotice.objects.values_list("role", flat=True))
    assert roles == {
        "fire_officer",
        "grid_leader",
        "landlord",
        "micro_fire_station",
        "fire_command",
    }
    recipients = groups_of(
        OutboxMessage.objects.filter(subject_id=str(alarm.incident.case_id)).values_list(
            "recipient", flat=True
        )
    )
    people = {house.landlord, house.fire_officer, house.grid_leader}
    assert {person_group(p.pk) for p in people} <= recipients
    assert {unit_group(house.station.code), unit_group(house.command.code)} <= recipients
    assert screen_group(house.premises.node.code) in recipients
    assert screen_group("330782") in recipients
    assert Assignment.objects.filter(case_id=alarm.incident.case_id).count() == 5


def test_alarm_storm_in_one_building_is_one_case(city: City) -> None:
    storm = building(city.a, code="P-STORM", detectors=10)
    alarm_ids = [fire(device, f"storm-{i}") for i, device in enumerate(storm.devices)]
    assert Incident.objects.count() == 1
    assert Case.objects.filter(kind="alarm").count() == 1
    case = Case.objects.get(kind="alarm")
    assert set(Alarm.objects.values_list("incident__case_id", flat=True)) == {case.pk}
    joined = case.timeline.filter(kind=TimelineKind.DUPLICATE_MERGED)
    assert sorted(joined.values_list("data__alarm", flat=True)) == sorted(alarm_ids[1:])
    assert ContactNotice.objects.count() == 5  # notified once, not once per detector


def test_alarms_in_two_buildings_are_two_cases(city: City) -> None:
    first, second = building(city.a, code="P-A"), building(city.a, code="P-B")
    fire(first.devices[0])
    fire(second.devices[0])
    assert Case.objects.filter(kind="alarm").count() == 2


def test_contact_acknowledges_once_and_takes_the_task(house: Building) -> None:
    alarm_id = fire(house.devices[0])
    client = ApiClient(house.landlord.username)
    first = client.post(f"/api/v1/devices/alarms/{alarm_id}/ack")
    assert first.status_code == 200, first.content
    acked = [n for n in first.json()["notices"] if n["acked_at"]]
    assert [n["role"] for n in acked] == ["landlord"]
    again = client.post(f"/api/v1/devices/alarms/{alarm_id}/ack")
    assert again.json()["notices"] == first.json()["notices"]
    assignment = Assignment.objects.get(person=house.landlord)
    assert assignment.state == "accepted"


def test_unit_member_acknowledges_for_the_micro_fire_station(house: Building) -> None:
    alarm_id = fire(house.devices[0])
    member = person("mfs_member", Role.FIRST_RESPONDER, house.station.node, unit=house.station)
    response = ApiClient(member.username).post(f"/api/v1/devices/alarms/{alarm_id}/ack")
    assert response.status_code == 200
    notice = ContactNotice.objects.get(role="micro_fire_station")
    assert notice.acked_by == member


def test_someone_who_is_no_contact_cannot_acknowledge(city: City, house: Building) -> None:
    alarm_id = fire(house.devices[0])
    volunteer = ApiClient(city.a.people["volunteer"].username)
    stranger = ApiClient(city.b.people["leader"].username)
    assert volunteer.post(f"/api/v1/devices/alarms/{alarm_id}/ack").status_code == 403
    assert stranger.post(f"/api/v1/devices/alarms/{alarm_id}/ack").status_code == 404
    assert not ContactNotice.objects.filter(acked_at__isnull=False).exists()


def test_signed_link_page_shows_without_acknowledging_and_its_button_acknowledges(
    house: Building, client
) -> None:
    fire(house.devices[0])
    notice = ContactNotice.objects.get(role="fire_command")
    url = f"/devices/ack/{ack_link_token(notice_id=notice.pk)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert house.premises.name in page.content.decode()
    notice.refresh_from_db()
    assert notice.acked_at is None
    assert client.post(url).status_code == 200
    notice.refresh_from_db()
    assert (notice.ack_via, notice.acked_by) == ("link", None)


def test_altered_link_acknowledges_nothing(house: Building, client) -> None:
    fire(house.devices[0])
    notice = ContactNotice.objects.get(role="fire_command")
    token = ack_link_token(notice_id=notice.pk)
    assert client.post(f"/devices/ack/{token[:-2]}xx/").status_code == 404
    assert not ContactNotice.objects.filter(acked_at__isnull=False).exists()


def test_silent_contacts_are_reminded_twice_then_escalated_once(house: Building) -> None:
    fire(house.devices[0])
    ApiClient(house.landlord.username).post(f"/api/v1/devices/alarms/{Alarm.objects.get().pk}/ack")
    start = timezone.now()
    for minutes in (1.1, 2.2, 3.3):
        alarm_notices_sweep(now=start + timedelta(minutes=minutes))
    silent = ContactNotice.objects.exclude(role="landlord")
    assert all(n.reminders == 2 and n.escalated_at is not None for n in silent)
    landlord = ContactNotice.objects.get(role="landlord")
    assert (landlord.reminders, landlord.escalated_at) == (0, None)
    escalations = OutboxMessage.objects.filter(payload__type="devices.escalation").count()
    assert alarm_notices_sweep(now=start + timedelta(minutes=10)) == 0
    assert OutboxMessage.objects.filter(payload__type="devices.escalation").count() == escalations
    reminders = OutboxMessage.objects.filter(payload__type="devices.reminder")
    assert reminders.count() == 2 * silent.count()


def test_contact_who_accepted_on_the_phone_page_is_not_reminded(house: Building) -> None:
    from shouwang.cases.services import assignment_accept

    alarm = Alarm.objects.get(pk=fire(house.devices[0]))
    assignment_accept(actor=house.grid_leader, case=Case.objects.get(pk=alarm.incident.case_id))
    alarm_notices_sweep(now=timezone.now() + timedelta(minutes=2))
    notice = ContactNotice.objects.get(role="grid_leader")
    assert (notice.ack_via, notice.reminders) == ("case", 0)


def test_micro_fire_station_arrival_is_timed_against_one_minute(house: Building) -> None:
    alarm_id = fire(house.devices[0])
    member = person("mfs_member", Role.FIRST_RESPONDER, house.station.node, unit=house.station)
    response = ApiClient(member.username).post(
        f"/api/v1/devices/alarms/{alarm_id}/arrive", {"lat": 29.05, "lng": 120.05}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["station_arrived_at"] is not None
    assert body["station_on_time"] is True
    assert Assignment.objects.get(unit=house.station).state == "arrived"


def test_only_the_micro_fire_station_reports_its_arrival(house: Building) -> None:
    alarm_id = fire(house.devices[0])
    response = ApiClient(house.landlord.username).post(
        f"/api/v1/devices/alarms/{alarm_id}/arrive", {"lat": 29.05, "lng": 120.05}
    )
    assert response.status_code == 403
    assert Incident.objects.get().station_arrived_at is None


def test_false_alarm_is_counted_once_and_cancels_the_case(house: Building) -> None:
    alarm_id = fire(house.devices[0])
    client = ApiClient(house.landlord.username)
    for _attempt in range(2):
        response = client.post(
            f"/api/v1/devices/alarms/{alarm_id}/false-alarm", {"reason": "做饭油烟"}
        )
        assert response.status_code == 200, response.content
    assert Device.objects.get(pk=house.devices[0].pk).false_alarm_count == 1
    incident = Incident.objects.get()
    assert incident.closed_at is not None
    assert Case.objects.get(pk=incident.case_id).state == "cancelled"


def test_alarm_after_the_case_ended_opens_a_new_case(house: Building) -> None:
    alarm_id = fire(house.devices[0], "first")
    ApiClient(house.landlord.username).post(
        f"/api/v1/devices/alarms/{alarm_id}/false-alarm", {"reason": "测试"}
    )
    fire(house.devices[1], "second")
    assert Case.objects.filter(kind="alarm").count() == 2
    assert Incident.objects.filter(closed_at__isnull=True).count() == 1


def test_alarm_is_kept_when_its_case_cannot_be_opened_and_the_case_follows_later(
    house: Building,
) -> None:
    from importlib import import_module

    from django.apps import apps

    from shouwang.cases.models import Category
    from shouwang.devices.services.incidents import incidents_case_retry

    Category.objects.filter(parent__code="fire_rescue").delete()
    Category.objects.filter(code="fire_rescue").delete()
    alarm = Alarm.objects.get(pk=fire(house.devices[0]))
    assert alarm.incident.case_id is None
    assert not Case.objects.exists()
    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)
    assert incidents_case_retry() == 1
    assert Case.objects.get(pk=Incident.objects.get().case_id).kind == "alarm"
