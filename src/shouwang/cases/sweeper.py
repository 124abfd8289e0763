"""The deadlines sweeper (`cases.deadlines_sweep` worker loop): finds cases whose next deadline
has come and escalates them, one case per transaction, claiming each row with SELECT … FOR
UPDATE SKIP LOCKED so any number of sweepers on any number of machines share the work without
doing any of it twice. Safe to stop at any point and to run again."""

import logging
from datetime import datetime

from django.utils import timezone

from shouwang.cases.models import Case
from shouwang.cases.services.escalation import case_escalate_overdue

logger = logging.getLogger(__name__)
BATCH = 200


def deadlines_sweep(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """One round: returns how many escalations were made (0 tells the loop to idle)."""
    now = now or timezone.now()
    due = list(
        Case.objects.filter(next_deadline_at__lte=now)
        .order_by("next_deadline_at")
        .values_list("pk", flat=True)[:batch]
    )
    made = 0
    for case_id in due:
        made += case_escalate_overdue(case_id=case_id, now=now)
    if made:
        logger.info("escalated overdue steps", extra={"escalations": made, "cases": len(due)})
    return made


def tick() -> int:
    return deadlines_sweep()
