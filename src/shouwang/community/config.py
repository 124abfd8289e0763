"""The community app's settings: Django settings when defined, else the environment, else the
default below. Earning-rule defaults apply where the admin has no EarningRule row."""

import os

from django.conf import settings


def setting_int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value is None or value == "" else int(str(value))


# A check-in farther than this from the post is refused (GPS on a phone outdoors: ~20-50 m).
def checkin_radius_m() -> int:
    return setting_int("SHOUWANG_CHECKIN_RADIUS_M", 100)


# The same person at the same post again within this many minutes is refused: one visit, one
# check-in, one award.
def checkin_interval_min() -> int:
    return setting_int("SHOUWANG_CHECKIN_INTERVAL_MIN", 30)


# Seed 000: members acknowledge in 1 minute and arrive in 3.
def group_ack_target_s() -> int:
    return setting_int("SHOUWANG_GROUP_ACK_TARGET_S", 60)


def group_arrive_target_s() -> int:
    return setting_int("SHOUWANG_GROUP_ARRIVE_TARGET_S", 180)


# Arrival counts when the member's phone is this near the alert.
def group_arrive_radius_m() -> int:
    return setting_int("SHOUWANG_GROUP_ARRIVE_RADIUS_M", 150)


# A burst: this many report awards within BURST_RADIUS_M of each other in BURST_HOURS from one
# person are held for a person to review (a farm of reports from one doorway).
def burst_count() -> int:
    return setting_int("SHOUWANG_POINTS_BURST_COUNT", 5)


def burst_radius_m() -> int:
    return setting_int("SHOUWANG_POINTS_BURST_RADIUS_M", 100)


def burst_hours() -> int:
    return setting_int("SHOUWANG_POINTS_BURST_HOURS", 24)


# Two dHashes this many bits apart or fewer are the same photo.
def photo_hamming_max() -> int:
    return setting_int("SHOUWANG_POINTS_PHOTO_HAMMING", 6)


# Seed 000: "a photo of a broken camera = 3 points".
DEFAULT_RULES: dict[str, tuple[int, int]] = {
    # code: (points, daily cap per person)
    "report_verified": (3, 30),
    "hazard_confirmed": (5, 50),
    "patrol_hour": (2, 16),
    "checkin": (1, 10),
}


def default_rule(code: str) -> tuple[int, int]:
    override = getattr(settings, "SHOUWANG_POINTS_RULES", None) or {}
    points, cap = override.get(code, DEFAULT_RULES[code])
    return int(points), int(cap)
