"""Rectification deadlines in Chinese working days (调休 included, by chinese-calendar)."""

from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.utils.timezone import get_default_timezone

from shouwang.inspections.config import deadline_working_days

SHANGHAI = get_default_timezone()  # settings.TIME_ZONE


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the State Council has not published yet
        return day.weekday() < 5


def hazard_deadline(*, level: str, start: datetime) -> datetime:
    """The end (midnight Asia/Shanghai) of the N-th working day after `start`'s day, N by the
    level's setting; N = 0 is the end of `start`'s own day."""
    days = deadline_working_days().get(level, 7)
    day, counted = start.astimezone(SHANGHAI).date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)
