"""Our generic signed push: a good message is taken, a bad one refused with nothing changed."""

import time
from datetime import timedelta

import pytest

from shouwang.devices.ingest.heartbeats import heartbeat_buffer, heartbeats_flush_once
from shouwang.devices.models import Alarm, Device, DeviceState
from shouwang.devices.tests.factories import Building
from shouwang.devices.tests.pushing import generic_post

pytestmark = pytest.mark.django_db

SMOKE = {"Alarm_Status": 1, "AlarmLevel": 2, "Battery_Level": 88, "RSRP": -92, "SNR": 11}
BEAT = {"Alarm_Status": 0, "Battery_Level": 88, "RSRP": -92, "SNR": 11}


def test_signed_smoke_alarm_is_committed_before_the_answer(house: Building) -> None:
    device = house.devices[0]
    response = generic_post(device.serial, {"id": "m1", "kind": "event", "values": SMOKE})
    assert response.status_code == 200, response.content
    alarm = Alarm.objects.get(device=device)
    assert response.json()["alarms"] == [alarm.pk]
    assert (alarm.kind, alarm.level) == ("smoke", 2)


def test_alarm_sent_again_is_not_a_second_alarm(house: Building) -> None:
    serial = house.devices[0].serial
    first = generic_post(serial, {"id": "m1", "values": SMOKE})
    again = generic_post(serial, {"id": "m1", "values": SMOKE})
    assert again.status_code == 200
    assert again.json()["duplicate_alarms"] == 1
    assert again.json()["alarms"] == first.json()["alarms"]
    assert Alarm.objects.count() == 1


def test_badly_signed_message_is_refused_and_changes_nothing(house: Building) -> None:
    response = generic_post(house.devices[0].serial, {"id": "m1", "values": SMOKE}, secret="wrong")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "signature_invalid"
    assert not Alarm.objects.exists()
    assert len(heartbeat_buffer) == 0


def test_unsigned_message_is_refused(house: Building) -> None:
    response = generic_post(house.devices[0].serial, {"id": "m1", "values": SMOKE}, signature="")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "signature_missing"
    assert not Alarm.objects.exists()


def test_replayed_old_message_is_refused_even_with_a_good_signature(house: Building) -> None:
    stale = int(time.time()) - 3600
    response = generic_post(house.devices[0].serial, {"id": "m1", "values": SMOKE}, timestamp=stale)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "replayed"
    assert not Alarm.objects.exists()


def test_unknown_device_is_answered_like_a_bad_signature(house: Building) -> None:
    response = generic_post("NO-SUCH-DEVICE", {"id": "m1", "values": SMOKE})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "signature_invalid"


def test_malformed_body_is_refused_with_a_clear_message(house: Building) -> None:
    response = generic_post(house.devices[0].serial, {"values": SMOKE})  # no id
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"
    assert "id" in response.json()["error"]["message"]


def test_refusal_message_is_english_for_an_english_client(house: Building) -> None:
    from django.test import Client

    response = Client(headers={"Accept-Language": "en"}).post(
        "/api/v1/devices/push/generic", b"{}", content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["message"].isascii()


def test_heartbeat_waits_in_the_buffer_and_lands_with_the_flush(house: Building) -> None:
    device = house.devices[0]
    assert (
        generic_post(device.serial, {"id": "b1", "kind": "heartbeat", "values": BEAT}).status_code
        == 200
    )
    device.refresh_from_db()
    assert device.last_seen_at is None
    heartbeats_flush_once()
    device.refresh_from_db()
    assert device.state == DeviceState.ONLINE
    assert (device.battery_level, device.rsrp, device.snr) == (88, -92, 11)
    assert device.offline_after - device.last_seen_at == timedelta(seconds=3 * 60)


def test_full_heartbeat_buffer_answers_503_with_retry_after_but_alarms_still_pass(
    house: Building,
) -> None:
    first, second = house.devices[0], house.devices[1]
    capacity = heartbeat_buffer.capacity
    heartbeat_buffer.capacity = 1
    try:
        assert generic_post(first.serial, {"id": "b1", "values": BEAT}).status_code == 200
        refused = generic_post(second.serial, {"id": "b2", "values": BEAT})
        alarm = generic_post(second.serial, {"id": "a1", "values": SMOKE})
    finally:
        heartbeat_buffer.capacity = capacity
    assert refused.status_code == 503
    assert refused["Retry-After"] == "5"
    assert alarm.status_code == 200
    assert Alarm.objects.filter(device=second).count() == 1
    assert Device.objects.get(pk=second.pk).last_seen_at is None
