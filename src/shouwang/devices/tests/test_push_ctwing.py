"""China Telecom CTWing's subscription push: authenticated by the secret in its URL and the
source allow-list; reports, warnings, faults; re-sends de-duplicated by upPacketSN."""

import pytest

from shouwang.devices.ingest.heartbeats import heartbeats_flush_once
from shouwang.devices.models import Alarm, Device, MaintenanceItem, Platform, PushSubscription
from shouwang.devices.services.registry import push_subscription_create
from shouwang.devices.tests.factories import Building, detector
from shouwang.devices.tests.pushing import app_data, ctwing_body, machine

pytestmark = pytest.mark.django_db

SECRET = "ctwing-url-secret-0123456789"
URL = f"/api/v1/devices/push/ctwing/{SECRET}"
IMEI = "869975041234567"


@pytest.fixture
def subscription(house: Building) -> PushSubscription:
    return push_subscription_create(
        code="yiwu-ctwing",
        platform=Platform.CTWING,
        name="义乌 CTWing",
        node=house.premises.node,
        url_secret=SECRET,
    )


@pytest.fixture
def gas_alarm(house: Building) -> Device:
    return detector(
        house.premises, "CT-GAS-1", imei=IMEI, platform=Platform.CTWING, device_type="gas_alarm"
    )


def post(body: bytes, url: str = URL, **extra):  # type: ignore[no-untyped-def]
    return machine().post(url, body, content_type="application/json", **extra)


def test_data_report_with_base64_json_app_data_raises_gas_alarm(
    subscription: PushSubscription, gas_alarm: Device
) -> None:
    payload = app_data({"gas_sensor_state": 2, "valve_state": 1, "battery_value": 90})
    response = post(ctwing_body(IMEI, payload=payload))
    assert response.status_code == 200, response.content
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.level, alarm.device) == ("gas", 2, gas_alarm)


def test_resent_report_with_the_same_packet_number_is_one_alarm(
    subscription: PushSubscription, gas_alarm: Device
) -> None:
    body = ctwing_body(IMEI, payload={"serviceData": {"gas_sensor_state": 1}}, sn=77)
    assert post(body).status_code == 200
    assert post(body).status_code == 200
    assert Alarm.objects.count() == 1


def test_warning_event_raises_an_alarm(subscription: PushSubscription, gas_alarm: Device) -> None:
    body = ctwing_body(IMEI, message_type="eventReport", eventType=2, eventContent={"x": 1})
    assert post(body).status_code == 200
    assert Alarm.objects.get().kind == "gas"


def test_fault_event_is_counted_as_a_fault_not_an_alarm(
    subscription: PushSubscription, gas_alarm: Device
) -> None:
    body = ctwing_body(IMEI, message_type="eventReport", eventType=3, eventContent={"err": 5})
    assert post(body).status_code == 200
    assert post(ctwing_body(IMEI, message_type="eventReport", eventType=3, sn=2)).status_code == 200
    assert not Alarm.objects.exists()
    assert MaintenanceItem.objects.get().kind == "fault"
    assert Device.objects.get(pk=gas_alarm.pk).fault_count == 1


def test_weak_signal_report_opens_a_maintenance_item_not_an_alarm(
    subscription: PushSubscription, gas_alarm: Device
) -> None:
    body = ctwing_body(IMEI, payload={"serviceData": {"gas_sensor_state": 0, "RSRP": -121}})
    assert post(body).status_code == 200
    heartbeats_flush_once()
    assert MaintenanceItem.objects.get().kind == "weak_signal"
    assert not Alarm.objects.exists()


def test_online_report_counts_as_a_sign_of_life(
    subscription: PushSubscription, gas_alarm: Device
) -> None:
    body = ctwing_body(IMEI, message_type="deviceOnlineOfflineReport", eventType=1)
    assert post(body).status_code == 200
    heartbeats_flush_once()
    assert Device.objects.get(pk=gas_alarm.pk).state == "online"


def test_wrong_url_secret_is_refused(subscription: PushSubscription, gas_alarm: Device) -> None:
    body = ctwing_body(IMEI, payload={"serviceData": {"gas_sensor_state": 2}})
    response = post(body, url="/api/v1/devices/push/ctwing/guessed-secret-000000000")
    assert response.status_code == 401
    assert not Alarm.objects.exists()


def allow_only(subscription: PushSubscription, sources: str) -> bytes:
    """Limits the subscription to `sources`; returns a gas alarm push to send."""
    subscription.allowed_sources = sources
    subscription.save(update_fields=["allowed_sources"])
    return ctwing_body(IMEI, payload={"serviceData": {"gas_sensor_state": 2}})


def test_push_from_outside_the_allow_list_is_refused(
    subscription: PushSubscription, gas_alarm: Device
) -> None:
    body = allow_only(subscription, "203.0.113.0/24")
    refused = post(body, REMOTE_ADDR="198.51.100.7")
    allowed = post(body, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert Alarm.objects.count() == 1


def test_a_forwarded_header_does_not_get_past_the_allow_list(
    subscription: PushSubscription, gas_alarm: Device
) -> None:
    body = allow_only(subscription, "203.0.113.0/24")
    forged = post(body, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forged.status_code == 403
    assert not Alarm.objects.exists()


def test_replayed_report_from_hours_ago_is_refused(
    subscription: PushSubscription, gas_alarm: Device
) -> None:
    body = ctwing_body(IMEI, payload={"serviceData": {"gas_sensor_state": 2}}, timestamp=1)
    response = post(body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "replayed"
    assert not Alarm.objects.exists()


def test_malformed_report_is_refused_and_a_good_one_after_it_is_taken(
    subscription: PushSubscription, gas_alarm: Device
) -> None:
    bad = post(b'{"messageType": "dataReport"')
    good = post(ctwing_body(IMEI, payload={"serviceData": {"gas_sensor_state": 2}}))
    assert bad.status_code == 400
    assert good.status_code == 200
    assert Alarm.objects.count() == 1
