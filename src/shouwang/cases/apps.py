from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shouwang.core.demo.steps import DemoStep, register_demo_step


class CasesConfig(AppConfig):
    name = "shouwang.cases"
    label = "cases"
    verbose_name = _("闭环处置：事件")

    def ready(self) -> None:
        from shouwang.cases import sweeper
        from shouwang.cases.models import Category, RoutingRule, SlaPolicy
        from shouwang.core.refcache import remember_changes_of
        from shouwang.core.workers import WorkerLoop, register_worker

        # Deadlines are seconds-level timers: a database sweep each second, not a task queue
        # (ARCHITECTURE.md, "Known traps").
        register_worker(WorkerLoop("cases.deadlines_sweep", sweeper.tick, idle_seconds=1.0))
        register_demo_step(DemoStep("cases", _seed_demo_cases))
        # Read from process memory on every intake (core.refcache); the admin edits them.
        remember_changes_of(Category, RoutingRule, SlaPolicy)


# A fortnight of cases: enough for every queue and KPI to show something at each scale, while
# `seed-demo --scale city` stays well under its two minutes.
DEMO_CASES = {"small": 150, "city": 600}


def _seed_demo_cases(seed: int, scale: str) -> int:
    from shouwang.cases.demo.cases import seed_demo_cases
    from shouwang.cases.demo.positions import seed_demo_positions

    created = seed_demo_cases(seed=seed, count=DEMO_CASES.get(scale, 150))
    seed_demo_positions(seed=seed)
    return created
