"""A device push retried with the same Idempotency-Key and body gets the first answer again."""

import pytest

from shouwang.devices.models import Alarm
from shouwang.devices.tests.factories import Building
from shouwang.devices.tests.pushing import GENERIC_URL, machine

pytestmark = pytest.mark.django_db

SMOKE = {"Alarm_Status": 1, "AlarmLevel": 2, "Battery_Level": 88, "RSRP": -92, "SNR": 11}


def test_a_push_retried_with_its_key_answers_the_first_alarm_again(house: Building) -> None:
    import json
    import time

    from shouwang.devices.push.generic import generic_signature
    from shouwang.devices.tests.factories import SECRET

    serial = house.devices[0].serial
    raw = json.dumps({"id": "m1", "values": SMOKE}).encode()
    stamp = int(time.time())
    headers = {
        "X-Shouwang-Device": serial,
        "X-Shouwang-Timestamp": str(stamp),
        "X-Shouwang-Signature": generic_signature(secret=SECRET, timestamp=stamp, body=raw),
        "Idempotency-Key": "push-1",
    }
    first = machine().post(GENERIC_URL, raw, content_type="application/json", headers=headers)
    again = machine().post(GENERIC_URL, raw, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Alarm.objects.count() == 1
