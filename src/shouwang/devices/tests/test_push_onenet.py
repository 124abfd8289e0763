"""China Mobile OneNET's data push: the URL handshake, both message shapes, signatures, replays
and re-sends."""

import json
import time

import pytest

from shouwang.devices.ingest.heartbeats import heartbeats_flush_once
from shouwang.devices.models import Alarm, Device, DeviceState, Platform, PushSubscription
from shouwang.devices.push.onenet import onenet_signature
from shouwang.devices.services.registry import push_subscription_create
from shouwang.devices.tests.factories import Building, detector
from shouwang.devices.tests.pushing import machine, onenet_body

pytestmark = pytest.mark.django_db

TOKEN = "onenet-push-token-1"
URL = "/api/v1/devices/push/onenet/yiwu-onenet"
IMEI = "868334031234567"


@pytest.fixture
def subscription(house: Building) -> PushSubscription:
    return push_subscription_create(
        code="yiwu-onenet",
        platform=Platform.ONENET,
        name="义乌 OneNET",
        node=house.premises.node,
        token=TOKEN,
    )


@pytest.fixture
def nb_detector(house: Building) -> Device:
    return detector(
        house.premises, "NB-0001", imei=IMEI, platform=Platform.ONENET, platform_device_id="2016617"
    )


def post(body: bytes):  # type: ignore[no-untyped-def]
    return machine().post(URL, body, content_type="application/json")


def test_url_handshake_echoes_msg_when_signed_with_the_token(
    subscription: PushSubscription,
) -> None:
    signature = onenet_signature(token=TOKEN, nonce="abc", msg="hello123")
    response = machine().get(URL, {"msg": "hello123", "nonce": "abc", "signature": signature})
    assert response.status_code == 200
    assert response.content == b"hello123"


def test_url_handshake_with_a_wrong_signature_is_refused(subscription: PushSubscription) -> None:
    response = machine().get(URL, {"msg": "hello123", "nonce": "abc", "signature": "Zm9v"})
    assert response.status_code == 401
    assert b"hello123" not in response.content


def test_legacy_data_point_with_smoke_alarm_raises_one_alarm(
    subscription: PushSubscription, nb_detector: Device
) -> None:
    at = int(time.time() * 1000)
    msg = {
        "type": 1,
        "dev_id": 2016617,
        "ds_id": "Alarm_Status",
        "at": at,
        "value": 1,
        "imei": IMEI,
    }
    response = post(onenet_body(msg, token=TOKEN))
    assert response.status_code == 200, response.content
    assert Alarm.objects.get().device == nb_detector


def test_resent_push_is_not_a_second_alarm(
    subscription: PushSubscription, nb_detector: Device
) -> None:
    msg = {"type": 1, "dev_id": 2016617, "ds_id": "Alarm_Status", "at": 1, "value": 1}
    body = onenet_body(msg, token=TOKEN, at_ms=int(time.time() * 1000))
    for _attempt in range(3):  # OneNET re-sends until it sees 200
        assert post(body).status_code == 200
    assert Alarm.objects.count() == 1


def test_message_object_is_verified_over_its_exact_text(
    subscription: PushSubscription, nb_detector: Device
) -> None:
    msg = {"type": 1, "dev_id": 2016617, "ds_id": "Alarm_Status", "at": 7, "value": 1}
    response = post(onenet_body(msg, token=TOKEN, as_string=False))
    assert response.status_code == 200, response.content
    assert Alarm.objects.count() == 1


def test_thing_model_property_report_updates_battery_and_signal(
    subscription: PushSubscription, nb_detector: Device
) -> None:
    msg = {
        "messageType": "notify",
        "notifyType": "property",
        "productId": "p1",
        "deviceName": IMEI,
        "data": {
            "id": "42",
            "params": {"Battery_Level": {"value": 15, "time": 1}, "RSRP": {"value": -99}},
        },
    }
    assert post(onenet_body(msg, token=TOKEN)).status_code == 200
    heartbeats_flush_once()
    nb_detector.refresh_from_db()
    assert (nb_detector.state, nb_detector.battery_level, nb_detector.rsrp) == ("online", 15, -99)
    assert nb_detector.maintenance.get().kind == "low_battery"
    assert not Alarm.objects.exists()


def test_thing_model_alarm_event_raises_an_alarm(
    subscription: PushSubscription, nb_detector: Device
) -> None:
    msg = {
        "messageType": "notify",
        "notifyType": "event",
        "deviceName": IMEI,
        "data": {"id": "43", "params": {"smoke_alarm": {"value": {"AlarmLevel": 2}, "time": 1}}},
    }
    assert post(onenet_body(msg, token=TOKEN)).status_code == 200
    assert Alarm.objects.get().level == 2


def test_life_cycle_online_counts_as_a_sign_of_life(
    subscription: PushSubscription, nb_detector: Device
) -> None:
    msg = {"messageType": "lifeCycle", "deviceName": IMEI, "data": {"status": "online"}}
    assert post(onenet_body(msg, token=TOKEN)).status_code == 200
    heartbeats_flush_once()
    assert Device.objects.get(pk=nb_detector.pk).state == DeviceState.ONLINE


def test_badly_signed_push_is_refused_and_changes_nothing(
    subscription: PushSubscription, nb_detector: Device
) -> None:
    msg = {"type": 1, "dev_id": 2016617, "ds_id": "Alarm_Status", "at": 1, "value": 1}
    response = post(onenet_body(msg, token="not-the-token"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "signature_invalid"
    assert not Alarm.objects.exists()


def test_unsigned_push_is_refused(subscription: PushSubscription, nb_detector: Device) -> None:
    body = json.loads(onenet_body({"type": 1, "dev_id": 2016617, "value": 1}, token=TOKEN))
    del body["signature"]
    response = post(json.dumps(body).encode())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "signature_missing"
    assert not Alarm.objects.exists()


def test_replayed_push_from_hours_ago_is_refused(
    subscription: PushSubscription, nb_detector: Device
) -> None:
    msg = {"type": 1, "dev_id": 2016617, "ds_id": "Alarm_Status", "at": 1, "value": 1}
    old = int((time.time() - 3 * 3600) * 1000)
    response = post(onenet_body(msg, token=TOKEN, at_ms=old))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "replayed"
    assert not Alarm.objects.exists()


def test_push_to_an_unknown_subscription_is_not_found(nb_detector: Device) -> None:
    response = post(onenet_body({"type": 1, "dev_id": 2016617, "value": 1}, token=TOKEN))
    assert response.status_code == 404
