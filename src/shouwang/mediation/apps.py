from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "shouwang.mediation"
    label = "mediation"
    verbose_name = _("矛盾纠纷调解")

    def ready(self) -> None:
        from shouwang.core.demo.steps import DemoStep, register_demo_step
        from shouwang.core.workers import WorkerLoop, register_worker
        from shouwang.mediation import workers
        from shouwang.mediation.demo import seed_demo_mediation

        # Minutes-level rules (30-day limits, 24-hour follow-ups, a fresh call's score): a
        # sweep every few seconds is plenty and costs one indexed query when idle.
        register_worker(WorkerLoop("mediation.sweep", workers.tick, idle_seconds=5.0))
        register_demo_step(DemoStep("mediation", seed_demo_mediation))
