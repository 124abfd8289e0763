"""Unit stars (seed 004: 1,033 co-governance units rated one to five stars).

The rule, from five points down (documented in docs/inspections.md):
- no inspection in the last 365 days: -1;
- each open hazard: 重大 -2, 较大 -1, 一般 -0.5; an open hazard past its deadline: -0.5 more;
- each device alarm at the premises in the last 90 days: -0.5, at most -1;
- participation: none overdue, and a hazard closed on time or a fire-safety training attended
  (一懂三会) in the last 365 days: +0.5;
rounded half up and held within 1..5. Every computation is kept (StarRecord); the latest is
written on the premises for lists and the QR page."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shouwang.inspections.models import Hazard, HazardStatus, Inspection, StarRecord
from shouwang.places.models import Premises

LEVEL_PENALTY = {"serious": Decimal(2), "major": Decimal(1), "general": Decimal("0.5")}


@transaction.atomic
def premises_stars_refresh(*, premises: Premises) -> int:
    now = timezone.now()
    inputs = _inputs(premises, now)
    score = Decimal(5)
    if not inputs["inspected_this_year"]:
        score -= 1
    for level in inputs["open_levels"]:
        score -= LEVEL_PENALTY.get(level, Decimal("0.5"))
    score -= Decimal("0.5") * inputs["overdue"]
    score -= min(Decimal(1), Decimal("0.5") * inputs["alarms_90d"])
    if (inputs["closed_on_time"] or inputs["trained"]) and not inputs["overdue"]:
        score += Decimal("0.5")
    stars = int(max(Decimal(1), min(Decimal(5), score.quantize(Decimal(1), ROUND_HALF_UP))))
    StarRecord.objects.create(premises=premises, stars=stars, inputs=inputs)
    Premises.objects.filter(pk=premises.pk).update(stars=stars, stars_at=now)
    premises.stars, premises.stars_at = stars, now
    return stars


def _inputs(premises: Premises, now: datetime) -> dict[str, Any]:
    year_ago = now - timedelta(days=365)
    open_hazards = list(
        Hazard.objects.filter(premises=premises)
        .exclude(status=HazardStatus.CLOSED)
        .values_list("level", "deadline")
    )
    alarms = premises.incidents.filter(  # devices' incidents, by their related name
        kind="alarm", opened_at__gte=now - timedelta(days=90)
    ).count()
    return {
        "inspected_this_year": Inspection.objects.filter(
            premises=premises, created_at__gte=year_ago
        ).exists(),
        "open_levels": sorted(level for level, _deadline in open_hazards),
        "overdue": sum(1 for _level, deadline in open_hazards if deadline < now),
        "alarms_90d": alarms,
        "trained": premises.trainings.filter(held_on__gte=year_ago.date()).exists(),
        "closed_on_time": Hazard.objects.filter(
            premises=premises, closed_at__gte=year_ago, closed_at__lte=F("first_deadline")
        ).exists(),
    }
