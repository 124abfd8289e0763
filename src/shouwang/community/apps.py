from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shouwang.core.demo.steps import DemoStep, register_demo_step


class CommunityConfig(AppConfig):
    name = "shouwang.community"
    label = "community"
    verbose_name = _("群防群治与平安积分")

    def ready(self) -> None:
        from shouwang.community.workers import community_workers_register

        community_workers_register()
        register_demo_step(DemoStep("community", _seed_demo_community))


def _seed_demo_community(seed: int, scale: str) -> int:
    from shouwang.community.demo.seed import seed_demo_community

    return seed_demo_community(seed=seed, scale=scale)
