"""Participation stars of patrol teams and ten-household groups, one documented rule:

- a patrol team scores its patrol hours per member in the month against 8 hours (two evening
  shifts), capped at 100;
- a ten-household group scores the share of its members' answers that arrived within the
  target (3 minutes), × 100;
- stars = 1 + score // 25, at most 5.

The premises' safety stars (the inspections app) are a separate rating of the premises; a
unit's overall star combines the two where both exist — left to the merge of that app.
A month's row is rewritten while the month runs and kept as it is afterwards."""

from datetime import date

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from shouwang.community import config
from shouwang.community.models import AlertResponse, Shift, TeamMember, UnitRating
from shouwang.community.selectors import month_bounds
from shouwang.core.models import Unit, UnitKind

HOURS_FOR_FULL_SCORE = 8


def stars_for(score: int) -> int:
    return min(5, 1 + score // 25)


@transaction.atomic
def unit_ratings_compute(*, month: str | None = None) -> int:
    """Computes the month's stars of every active team and group. Returns how many rows it
    wrote; a past month already computed is left as it was (history)."""
    start, end = month_bounds(month)
    first = date(start.year, start.month, 1)
    past = end <= timezone.now()
    done = set(UnitRating.objects.filter(month=first).values_list("unit_id", flat=True))
    units = Unit.objects.filter(
        kind__in=[UnitKind.PATROL_TEAM, UnitKind.TEN_HOUSEHOLD_GROUP], is_active=True
    )
    hours = dict(
        Shift.objects.filter(started_at__gte=start, started_at__lt=end)
        .values_list("team_id")
        .annotate(s=Sum("patrol_seconds"))
    )
    members = dict(TeamMember.objects.values_list("team_id").annotate(n=Count("id")))
    answers = _arrival_rates(start, end)
    written = 0
    for unit in units:
        if past and unit.pk in done:
            continue
        team_hours = (hours.get(unit.pk) or 0) / 3600
        if unit.kind == UnitKind.PATROL_TEAM:
            per_member = team_hours / max(1, members.get(unit.pk, 0))
            score = min(100, int(per_member / HOURS_FOR_FULL_SCORE * 100))
        else:
            score = int(answers.get(unit.pk, 0.0) * 100)
        UnitRating.objects.update_or_create(
            unit=unit,
            month=first,
            defaults={
                "patrol_hours": round(team_hours, 1),
                "alerts_answered": answers.get(unit.pk, 0.0),
                "score": score,
                "stars": stars_for(score),
            },
        )
        written += 1
    return written


def _arrival_rates(start: object, end: object) -> dict[int, float]:
    totals: dict[int, list[int]] = {}
    rows = AlertResponse.objects.filter(
        alert__raised_at__gte=start, alert__raised_at__lt=end
    ).values_list("alert__group_id", "alert__raised_at", "arrived_at")
    target = config.group_arrive_target_s()
    for group_id, raised, arrived in rows:
        counts = totals.setdefault(group_id, [0, 0])
        counts[0] += 1
        counts[1] += arrived is not None and (arrived - raised).total_seconds() <= target
    return {g: round(on_time / n, 3) for g, (n, on_time) in totals.items() if n}
