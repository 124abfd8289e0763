"""Ten-household groups: a one-tap alert reaches every member and the grid at once; each
member's acknowledgement and arrival are timed; arrival is checked by position."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.cases.feeders import Case
from shouwang.cases.tests.factories import POINT
from shouwang.community.models import AlertResponse, GroupAlert
from shouwang.community.selectors import alert_rates
from shouwang.community.tests.conftest import Forces
from shouwang.notify.groups import person_group, screen_group
from shouwang.notify.models import OutboxMessage
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

LAT, LNG = POINT["a"]


def raise_alert(forces: Forces, **extra: object) -> int:
    client = ApiClient(forces.volunteer.username)
    response = client.post(
        "/api/v1/groups/SH-A1/alert", {"lat": LAT, "lng": LNG, "note": "有人撬门", **extra}
    )
    assert response.status_code == 201, response.content
    return int(response.json()["alert_id"])


def test_an_alert_notifies_every_member_and_the_grid_at_once(forces: Forces) -> None:
    alert_id = raise_alert(forces)
    recipients = set(
        OutboxMessage.objects.filter(subject_id=str(alert_id)).values_list("recipient", flat=True)
    )
    expected = {person_group(p.pk) for p in forces.neighbours}
    expected.add(screen_group(forces.loop.city.a.grids[0].code))
    assert expected <= recipients
    assert person_group(forces.volunteer.pk) not in recipients  # the one who raised it
    assert AlertResponse.objects.filter(alert_id=alert_id).count() == 3


def test_each_members_ack_and_arrival_times_are_shown(forces: Forces) -> None:
    alert_id = raise_alert(forces)
    GroupAlert.objects.filter(pk=alert_id).update(raised_at=timezone.now() - timedelta(seconds=50))
    first, second, _third = (ApiClient(p.username) for p in forces.neighbours)
    assert first.post(f"/api/v1/groups/alerts/{alert_id}/ack").status_code == 200
    arrived = first.post(f"/api/v1/groups/alerts/{alert_id}/arrive", {"lat": LAT, "lng": LNG})
    assert arrived.status_code == 200
    too_far = second.post(
        f"/api/v1/groups/alerts/{alert_id}/arrive", {"lat": LAT + 0.01, "lng": LNG}
    )
    assert too_far.status_code == 422
    body = ApiClient(forces.volunteer.username).get(f"/api/v1/groups/alerts/{alert_id}").json()
    times = {m["person_id"]: (m["ack_s"], m["arrive_s"]) for m in body["members"]}
    ack_s, arrive_s = times[forces.neighbours[0].pk]
    assert 50 <= ack_s <= arrive_s < 120
    assert times[forces.neighbours[1].pk] == (None, None)
    assert body["ack_target_s"] == 60 and body["arrive_target_s"] == 180


def test_only_members_and_staff_of_the_area_see_an_alert(forces: Forces) -> None:
    alert_id = raise_alert(forces)
    path = f"/api/v1/groups/alerts/{alert_id}"
    assert ApiClient(forces.person("dispatcher").username).get(path).status_code == 200
    assert ApiClient(forces.person("dispatcher", "b").username).get(path).status_code == 404
    assert ApiClient(forces.person("volunteer", "b").username).get(path).status_code == 404
    outsider = ApiClient(forces.person("volunteer", "b").username)
    assert outsider.post(f"{path}/ack").status_code == 404
    body = {"lat": LAT, "lng": LNG, "note": ""}
    assert outsider.post("/api/v1/groups/SH-A1/alert", body).status_code == 404


def test_an_alert_that_needs_a_case_opens_one_at_its_position(forces: Forces) -> None:
    alert_id = raise_alert(forces, open_case=True)
    alert = GroupAlert.objects.get(pk=alert_id)
    case = Case.objects.get(pk=alert.case_id)
    assert (case.lat, case.lng) == (LAT, LNG)
    assert case.created_by == forces.volunteer


def test_rates_per_town_count_answers_within_the_targets(forces: Forces) -> None:
    alert_id = raise_alert(forces)
    raised = timezone.now() - timedelta(minutes=10)
    GroupAlert.objects.filter(pk=alert_id).update(raised_at=raised)
    responses = list(AlertResponse.objects.filter(alert_id=alert_id).order_by("id"))
    AlertResponse.objects.filter(pk=responses[0].pk).update(
        acked_at=raised + timedelta(seconds=30), arrived_at=raised + timedelta(seconds=150)
    )
    AlertResponse.objects.filter(pk=responses[1].pk).update(
        acked_at=raised + timedelta(seconds=90), arrived_at=raised + timedelta(seconds=400)
    )
    rates = alert_rates(
        node=forces.loop.city.a.node, start=raised - timedelta(days=1), end=timezone.now()
    )
    assert (rates.alerts, rates.responses) == (1, 3)
    assert (rates.ack_rate, rates.arrive_rate) == (round(1 / 3, 3), round(1 / 3, 3))


def test_acknowledging_the_alert_settles_the_members_notification(forces: Forces) -> None:
    alert_id = raise_alert(forces)
    member = forces.neighbours[0]
    waiting = OutboxMessage.objects.filter(subject_id=str(alert_id), person=member)
    assert waiting.get().requires_ack and waiting.get().acked_at is None
    ApiClient(member.username).post(f"/api/v1/groups/alerts/{alert_id}/ack")
    assert waiting.get().acked_at is not None


def test_the_dispatcher_sends_a_case_to_the_nearest_group(forces: Forces) -> None:
    from shouwang.cases.tests.factories import received
    from shouwang.core.models import UnitKind
    from shouwang.core.services.jurisdiction import unit_create

    unit_create(
        code="SH-A2",
        name="远处的联防组",
        kind=UnitKind.TEN_HOUSEHOLD_GROUP,
        node=forces.loop.city.a.grids[1],
        location=(LNG + 0.08, LAT),
    )
    case = received(forces.loop)
    dispatcher = ApiClient(forces.person("dispatcher").username)
    response = dispatcher.post(f"/api/v1/groups/nearest/{case.pk}")
    assert response.status_code == 201, response.content
    alert = GroupAlert.objects.get(pk=response.json()["alert_id"])
    assert alert.group == forces.group and alert.case_id == case.pk
    assert case.assignments.filter(unit=forces.group).exists()
    assert AlertResponse.objects.filter(alert=alert).count() == 4  # every member
    assert dispatcher.post(f"/api/v1/groups/nearest/{case.pk}").status_code == 409
    other = received(forces.loop, description="另一起")
    volunteer = ApiClient(forces.volunteer.username)
    # Least privilege: a volunteer does not see a town case at all (404, not 403).
    assert volunteer.post(f"/api/v1/groups/nearest/{other.pk}").status_code == 404
    assert not GroupAlert.objects.filter(case_id=other.pk).exists()
