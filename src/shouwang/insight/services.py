"""Keeping the KPI rollups current: a day's rows (each case at its node and every ancestor)
are recomputed whole from the case table
(idempotent, safe to run twice or on two machines); the worker recomputes the days of the
cases changed since its mark."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from shouwang.cases.models import Case, CaseChannel, CaseKind, CaseState
from shouwang.cases.selectors import SHANGHAI
from shouwang.core.selectors import node_by_id, node_lineage
from shouwang.insight.models import KpiRollup, RollupMark

ARRIVAL_TARGET = timedelta(minutes=8)
MARK = "kpi"
MAX_DAYS_PER_TICK = 31


def _metrics(now: datetime) -> dict[str, Count]:
    """The figures of a rollup row — the same definitions as cases.selectors.kpi's."""
    kept = ~Q(state=CaseState.MERGED)
    arrival_needed = (
        kept
        & ~Q(state=CaseState.CANCELLED)
        & Q(arrive_deadline__isnull=False)
        & (Q(arrived_at__isnull=False) | Q(received_at__lte=now - ARRIVAL_TARGET))
    )
    hazard = kept & Q(kind=CaseKind.HAZARD)
    return {
        "calls": Count("pk"),
        "cases": Count("pk", filter=kept),
        "arrival_needed": Count("pk", filter=arrival_needed),
        "arrived_within_8_min": Count(
            "pk", filter=arrival_needed & Q(arrived_at__lte=F("received_at") + ARRIVAL_TARGET)
        ),
        "diverted": Count("pk", filter=kept & Q(diverted=True)),
        "hazards": Count("pk", filter=hazard),
        "hazards_closed": Count("pk", filter=hazard & Q(state=CaseState.CLOSED)),
        "alarms": Count(
            "pk", filter=kept & (Q(kind=CaseKind.ALARM) | Q(channel=CaseChannel.DEVICE))
        ),
    }


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


@transaction.atomic
def rollups_refresh(*, days: Iterable[date], now: datetime | None = None) -> int:
    """Recomputes the rollup rows of `days`; returns how many rows were written."""
    now = now or timezone.now()
    written = 0
    for day in sorted(set(days)):
        since, until = _day_bounds(day)
        KpiRollup.objects.filter(day=day).delete()
        rows = (
            Case.objects.filter(received_at__gte=since, received_at__lt=until)
            .values("node_id", "category_id", "channel")
            .annotate(**_metrics(now))
            .order_by()
        )
        # Each case counts at its own node AND at every ancestor (village, town, city): a
        # town's or the city's figures are then a read of its own few rows, whatever the volume.
        totals: dict[tuple[int, int, str], dict[str, int]] = {}
        for r in rows:
            figures: dict[str, int] = {
                k: int(str(v))
                for k, v in r.items()
                if k not in ("node_id", "category_id", "channel")
            }
            for ancestor in node_lineage(node=node_by_id(pk=r["node_id"])):
                key = (ancestor.pk, r["category_id"], r["channel"])
                into = totals.setdefault(key, dict.fromkeys(figures, 0))
                for k, v in figures.items():
                    into[k] += v
        objects = [
            KpiRollup(day=day, node_id=node, category_id=category, channel=channel, **figures)
            for (node, category, channel), figures in totals.items()
        ]
        KpiRollup.objects.bulk_create(objects)
        written += len(objects)
    return written


def rollups_tick(*, now: datetime | None = None) -> int:
    """One round of the worker: the days of cases changed since the mark (the last 31 of them
    at most per round), and the mark moved to when the round started. Open cases' 8-minute
    figures also change with time alone, so today's and yesterday's rows are always redone."""
    now = now or timezone.now()
    mark = RollupMark.objects.filter(name=MARK).first()
    changed = Case.objects.all()
    if mark is not None:
        changed = changed.filter(updated_at__gte=mark.updated_before - timedelta(seconds=5))
    stamps = changed.order_by("-received_at").values_list("received_at", flat=True)
    days = {s.astimezone(SHANGHAI).date() for s in stamps[:50_000]}
    today = now.astimezone(SHANGHAI).date()
    days |= {today, today - timedelta(days=1)}
    days = set(sorted(days, reverse=True)[:MAX_DAYS_PER_TICK])
    written = rollups_refresh(days=days, now=now)
    RollupMark.objects.update_or_create(name=MARK, defaults={"updated_before": now})
    return 0 if mark is not None and len(days) <= 2 else written


def rollup_worker_tick() -> int:
    return rollups_tick()


def rollups_demo(seed: int, scale: str) -> int:
    """Demo step: the rollups of the demo's days, and the models trained and cached (so the
    first suggestion on the intake screen answers at once)."""
    from shouwang.insight.ml.artifacts import models

    models()
    stamps = Case.objects.values_list("received_at", flat=True)
    days = {s.astimezone(SHANGHAI).date() for s in stamps.iterator()}
    return rollups_refresh(days=days)
