"""The community app's settings, read from settings.py (defaults and environment there).
Earning-rule defaults apply where the admin has no EarningRule row."""

from django.conf import settings


def setting_int(name: str) -> int:
    return int(getattr(settings, name))


# A check-in farther than this from the post is refused (GPS on a phone outdoors: ~20-50 m).
def checkin_radius_m() -> int:
    return setting_int("SHOUWANG_CHECKIN_RADIUS_M")


# The same person at the same post again within this many minutes is refused: one visit, one
# check-in, one award.
def checkin_interval_min() -> int:
    return setting_int("SHOUWANG_CHECKIN_INTERVAL_MIN")


# Seed 000: members acknowledge in 1 minute and arrive in 3.
def group_ack_target_s() -> int:
    return setting_int("SHOUWANG_GROUP_ACK_TARGET_S")


def group_arrive_target_s() -> int:
    return setting_int("SHOUWANG_GROUP_ARRIVE_TARGET_S")


# Arrival counts when the member's phone is this near the alert.
def group_arrive_radius_m() -> int:
    return setting_int("SHOUWANG_GROUP_ARRIVE_RADIUS_M")


# A burst: this many report awards within BURST_RADIUS_M of each other in BURST_HOURS from one
# person are held for a person to review (a farm of reports from one doorway).
def burst_count() -> int:
    return setting_int("SHOUWANG_POINTS_BURST_COUNT")


def burst_radius_m() -> int:
    return setting_int("SHOUWANG_POINTS_BURST_RADIUS_M")


def burst_hours() -> int:
    return setting_int("SHOUWANG_POINTS_BURST_HOURS")


# Two dHashes this many bits apart or fewer are the same photo.
def photo_hamming_max() -> int:
    return setting_int("SHOUWANG_POINTS_PHOTO_HAMMING")


def default_rule(code: str) -> tuple[int, int]:
    """(points, daily cap per person) of an earning rule without an EarningRule row."""
    points, cap = settings.SHOUWANG_POINTS_RULES[code]
    return int(points), int(cap)
