"""Settings of the inspections app, each overridable in Django settings under the same name."""

from django.conf import settings

# Rectification deadline by hazard level, in Chinese working days after the day it was found
# (0 = by the end of that day, 当场/立即整改). Local rules differ; these follow the common
# pattern of 重大 immediately, 较大 within 3 and 一般 within 7 working days.
DEFAULT_DEADLINE_WORKING_DAYS = {"serious": 0, "major": 3, "general": 7}
# An inspection recorded further than this from the premises is flagged (not refused).
DEFAULT_GPS_TOLERANCE_M = 300.0


def deadline_working_days() -> dict[str, int]:
    configured = getattr(settings, "HAZARD_DEADLINE_WORKING_DAYS", None) or {}
    return {**DEFAULT_DEADLINE_WORKING_DAYS, **configured}


def gps_tolerance_m() -> float:
    return float(getattr(settings, "INSPECTION_GPS_TOLERANCE_M", DEFAULT_GPS_TOLERANCE_M))
