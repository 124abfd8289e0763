"""Late and missing registrations: an arrival not registered by its due date reminds the
landlord, a day later it is a case for the grid worker; each step once, however often the
worker runs. Registration fulfils the notice and stops both."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.cases.feeders import Case
from shouwang.housing.models import ArrivalNotice
from shouwang.housing.rules import cancellation_due
from shouwang.housing.services.reminders import registration_reminders_sweep
from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.notify.models import OutboxMessage
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def report(rental: Rental, days_ago: int) -> int:
    api = ApiClient(rental.landlord.username)
    arrived = (timezone.localdate() - timedelta(days=days_ago)).isoformat()
    response = api.post(
        "/api/v1/housing/arrivals", {"room": rental.rooms[0].pk, "arrived_on": arrived}
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_arrival_within_three_days_is_left_alone(rental: Rental) -> None:
    report(rental, days_ago=3)
    assert registration_reminders_sweep() == 0
    assert not OutboxMessage.objects.exists()


def test_overdue_arrival_reminds_the_landlord_once(rental: Rental) -> None:
    notice_id = report(rental, days_ago=4)
    assert registration_reminders_sweep() == 1
    assert registration_reminders_sweep() == 0
    [message] = OutboxMessage.objects.all()
    assert message.person_id == rental.landlord.pk
    assert message.payload["type"] == "housing.registration_overdue"
    assert ArrivalNotice.objects.get(pk=notice_id).case_id is None


def test_still_unregistered_a_day_later_becomes_a_case_for_the_grid(rental: Rental) -> None:
    notice_id = report(rental, days_ago=5)
    registration_reminders_sweep()  # the reminder
    registration_reminders_sweep()  # the case
    registration_reminders_sweep()  # nothing more
    case = Case.objects.get()
    assert case.category.code == "rental_registration_overdue"
    assert case.node_id == rental.premises.node_id
    assert ArrivalNotice.objects.get(pk=notice_id).case_id == case.pk


def test_registering_fulfils_the_arrival_and_nothing_follows(rental: Rental) -> None:
    notice_id = report(rental, days_ago=6)
    api = ApiClient(rental.landlord.username)
    moved_in = (timezone.localdate() - timedelta(days=6)).isoformat()
    response = api.post(
        "/api/v1/housing/tenancies",
        {
            "room": rental.rooms[0].pk,
            "name": "赵六",
            "id_number": id_number(41),
            "phone": "13900003333",
            "moved_in": moved_in,
        },
    )
    assert response.json()["registered_late"] is True
    assert ArrivalNotice.objects.get(pk=notice_id).tenancy_id == response.json()["id"]
    assert registration_reminders_sweep() == 0
    assert not Case.objects.exists()


def test_registration_rate_counts_late_registrations(city: City, rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    for seq, days in ((51, 0), (53, 10)):
        api.post(
            "/api/v1/housing/tenancies",
            {
                "room": rental.rooms[0].pk,
                "name": "钱七",
                "id_number": id_number(seq),
                "phone": "13900004444",
                "moved_in": (timezone.localdate() - timedelta(days=days)).isoformat(),
            },
        )
    rate = api.get("/api/v1/housing/registration-rate").json()
    assert rate["registered"] == 2 and rate["on_time"] == 1 and rate["on_time_rate"] == 0.5


def test_move_out_cancellation_counts_working_days() -> None:
    from datetime import date

    # National Day 2026: 1-7 October are holidays, so a move-out on 30 September is due by the
    # third working day after the holiday (Saturday 10 October is a make-up working day).
    assert cancellation_due(date(2026, 9, 30)) == date(2026, 10, 10)
    assert cancellation_due(date(2026, 12, 7)) == date(2026, 12, 10)
