"""Settings of the inspections app, read from settings.py (defaults and environment there)."""

from django.conf import settings


def deadline_working_days() -> dict[str, int]:
    """Rectification deadline by hazard level, in Chinese working days after the day found."""
    return dict(settings.HAZARD_DEADLINE_WORKING_DAYS)


def gps_tolerance_m() -> float:
    """An inspection recorded farther than this from the premises is flagged (not refused)."""
    return float(settings.INSPECTION_GPS_TOLERANCE_M)
