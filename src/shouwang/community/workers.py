"""The community app's background loop (core/workers.py): points for verified reports."""

from shouwang.community.services.report_awards import report_awards_tick
from shouwang.core.workers import WorkerLoop, register_worker


def community_workers_register() -> None:
    # Awards are not urgent: a volunteer sees them within seconds of the case's closing.
    register_worker(WorkerLoop("community.report_awards", report_awards_tick, idle_seconds=5.0))
