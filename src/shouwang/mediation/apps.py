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
        _home_links_add()


def _home_links_add() -> None:
    from shouwang.core.role_home import HOME_LINKS, HomeLink
    from shouwang.core.roles import MEDIATION_STAFF_ROLES, MEDIATOR_ROLES, RISK_ALERT_ROLES

    mediators = MEDIATOR_ROLES
    files = MEDIATION_STAFF_ROLES
    watchers = RISK_ALERT_ROLES
    links = [
        HomeLink(
            _("今日调解"), _("今天的调解安排与办理中的案卷（手机）"), "mediation-today", mediators
        ),
        HomeLink(_("调解案卷"), _("受理、调解、协议与履行"), "mediation-list", files),
        HomeLink(_("民转刑风险预警"), _("辖区待跟进的风险预警"), "risk-alerts", watchers),
        HomeLink(_("调解统计"), _("成功率、挽回金额与按期率"), "mediation-figures", files),
    ]
    known = {link.url_name for link in HOME_LINKS}
    HOME_LINKS.extend(link for link in links if link.url_name not in known)
