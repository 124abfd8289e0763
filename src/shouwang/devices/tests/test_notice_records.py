"""An alarm notice's acknowledgement and reminder count are records the database keeps: an
acknowledgement cannot be rewritten or cleared, reminders cannot be taken back (issue 14)."""

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from shouwang.devices.models import ContactNotice
from shouwang.devices.tests.factories import Building
from shouwang.devices.tests.pushing import generic_post
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def acknowledged_notice(house: Building) -> ContactNotice:
    response = generic_post(house.devices[0].serial, {"id": "a1", "values": {"Alarm_Status": 1}})
    alarm_id = response.json()["alarms"][0]
    assert (
        ApiClient(house.landlord.username)
        .post(f"/api/v1/devices/alarms/{alarm_id}/ack")
        .status_code
        == 200
    )
    return ContactNotice.objects.get(acked_at__isnull=False)


def test_an_acknowledgement_cannot_be_cleared_or_rewritten(house: Building) -> None:
    notice = acknowledged_notice(house)
    for change in ({"acked_at": None}, {"acked_at": timezone.now()}, {"ack_via": "forged"}):
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
            ContactNotice.objects.filter(pk=notice.pk).update(**change)
    kept = ContactNotice.objects.get(pk=notice.pk)
    assert (kept.acked_at, kept.ack_via) == (notice.acked_at, notice.ack_via)


def test_reminders_only_count_up(house: Building) -> None:
    notice = acknowledged_notice(house)
    ContactNotice.objects.filter(pk=notice.pk).update(reminders=2)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        ContactNotice.objects.filter(pk=notice.pk).update(reminders=1)
    assert ContactNotice.objects.get(pk=notice.pk).reminders == 2
