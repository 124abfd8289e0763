from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "shouwang.inspections"
    label = "inspections"
    verbose_name = _("检查与隐患整改")

    def ready(self) -> None:
        from shouwang.core.demo.steps import DemoStep, register_demo_step
        from shouwang.core.workers import WorkerLoop, register_worker
        from shouwang.inspections import workers

        # Minutes-level timers (working-day deadlines, nightly stars): a slow sweep is enough.
        register_worker(WorkerLoop("inspections.hazards_overdue", workers.overdue_tick, 30.0))
        register_worker(WorkerLoop("inspections.stars_nightly", workers.stars_tick, 60.0))
        register_demo_step(DemoStep("inspections", _seed_demo))
        _home_links()


def _home_links() -> None:
    from shouwang.core.role_home import HOME_LINKS, HomeLink
    from shouwang.core.roles import HAZARD_ROLES, INSPECTION_ROLES

    if any(link.url_name == "inspections-field" for link in HOME_LINKS):
        return
    HOME_LINKS.append(
        HomeLink(
            _("场所检查"), _("按清单检查场所，离线也能填写"), "inspections-field", INSPECTION_ROLES
        )
    )
    HOME_LINKS.append(
        HomeLink(_("隐患整改"), _("提交整改、复查销号"), "inspections-hazards", HAZARD_ROLES)
    )
    HOME_LINKS.append(HomeLink(_("宣传通知"), _("消防安全宣传与通知"), "inspections-notices"))


def _seed_demo(seed: int, scale: str) -> int:
    from shouwang.inspections.demo import seed_demo_inspections

    return seed_demo_inspections(seed=seed)
