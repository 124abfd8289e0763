"""The community app's background loops (core/workers.py): points for verified reports, and
the month's participation stars."""

from shouwang.community.services.ratings import unit_ratings_compute
from shouwang.community.services.report_awards import report_awards_tick
from shouwang.core.workers import WorkerLoop, register_worker


def community_workers_register() -> None:
    # Awards are not urgent: a volunteer sees them within seconds of the case's closing.
    register_worker(WorkerLoop("community.report_awards", report_awards_tick, idle_seconds=5.0))
    # Stars move slowly: recomputed hourly (a round returns 0 so the loop then sleeps).
    register_worker(WorkerLoop("community.unit_ratings", _ratings_tick, idle_seconds=3600.0))


def _ratings_tick() -> int:
    unit_ratings_compute()
    return 0
