"""The rules of rental registration and rental fire safety, as plain functions of dates and
counts, so services, selectors and the worker apply them the same way."""

from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar
from django.conf import settings

# Rental fire safety (Zhejiang's rules on rental housing, seed 002): at most two people a room,
# at least 5 m² of floor a person.
MAX_PEOPLE_PER_ROOM = 2
MIN_AREA_PER_PERSON = Decimal("5")
# Moving out is cancelled within 3 working days (Chinese calendar: holidays and make-up days).
CANCEL_WORKING_DAYS = 3
# A reminder to the landlord comes first; a day later the grid worker gets a case.
ESCALATE_AFTER_DAYS = 1


def registration_due(arrived_on: date) -> date:
    return arrived_on + timedelta(days=settings.HOUSING_REGISTRATION_DAYS)


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # outside the years the calendar knows: weekdays only
        return day.weekday() < 5


def cancellation_due(moved_out: date) -> date:
    """The last day on which a move-out may be cancelled: the third working day after it."""
    day, left = moved_out, CANCEL_WORKING_DAYS
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def over_occupied(*, people: int, area_m2: Decimal) -> bool:
    if people > MAX_PEOPLE_PER_ROOM:
        return True
    return area_m2 > 0 and area_m2 < MIN_AREA_PER_PERSON * people
