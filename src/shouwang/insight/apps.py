from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "shouwang.insight"
    label = "insight"
    verbose_name = _("研判与报表")

    def ready(self) -> None:
        from shouwang.core.demo.steps import DemoStep, register_demo_step
        from shouwang.core.workers import WorkerLoop, register_worker
        from shouwang.insight.services import rollup_worker_tick, rollups_demo

        # Rollups at most about a minute stale: a round every 30 s (idle) is enough.
        register_worker(WorkerLoop("insight.rollups", rollup_worker_tick, idle_seconds=30.0))
        from shouwang.insight.archive import bulletin_worker_tick

        # Bulletins at their set times (SHOUWANG_BULLETIN_SCHEDULE): a look a minute.
        register_worker(WorkerLoop("insight.bulletins", bulletin_worker_tick, idle_seconds=60.0))
        # The demo city's rollups (the bulletins read them) and the models, trained once.
        register_demo_step(DemoStep("insight", rollups_demo))
        from shouwang.cases.feeders import same_matter_scorer_set
        from shouwang.insight.live import same_matter_of_facts

        # Intake's likely duplicates are scored by the same-matter model (docs/insight.md).
        same_matter_scorer_set(same_matter_of_facts)
        _home_links_add()


def _home_links_add() -> None:
    from shouwang.core.role_home import HOME_LINKS, HomeLink
    from shouwang.core.roles import COMMAND_ROLES as readers

    link = HomeLink(_("通报档案"), _("日通报、周汇总、月分析"), "bulletins", readers)
    if all(existing.url_name != link.url_name for existing in HOME_LINKS):
        HOME_LINKS.append(link)
