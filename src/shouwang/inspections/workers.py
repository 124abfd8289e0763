"""Background loops of the inspections app (registered in apps.py, run by `shouwang serve` or
`shouwang worker`). Both are safe to run twice or on two machines: the overdue escalation is
once per round under a row lock, and a star computation is idempotent."""

from datetime import timedelta

from django.utils import timezone

from shouwang.inspections.selectors import hazards_overdue, premises_stars_stale
from shouwang.inspections.services.hazards import hazard_escalate_overdue
from shouwang.inspections.services.stars import premises_stars_refresh

# The loop's own timers (cases' sweeper) run on the case's SLA columns, which feeders cannot
# set; a hazard's working-day deadline lives here, so this sweep escalates it through the
# public surface (a case note flagged as an escalation, announced by the loop).
STARS_MAX_AGE = timedelta(hours=24)


def overdue_tick() -> int:
    handled = 0
    for case_id in list(hazards_overdue().values_list("case_id", flat=True)):
        handled += int(hazard_escalate_overdue(case_id=case_id))
    return handled


def stars_tick() -> int:
    """Recomputes, a batch at a time, the stars of premises not computed in the last day: the
    nightly pass (deadlines and alarms age stars even when nothing else changes)."""
    stale = list(premises_stars_stale(before=timezone.now() - STARS_MAX_AGE, limit=200))
    for premises in stale:
        premises_stars_refresh(premises=premises)
    return len(stale)
