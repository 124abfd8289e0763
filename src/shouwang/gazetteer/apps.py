from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shouwang.core.demo.steps import DemoStep, register_demo_step


class GazetteerConfig(AppConfig):
    name = "shouwang.gazetteer"
    label = "gazetteer"
    verbose_name = _("标准地址库")

    def ready(self) -> None:
        register_demo_step(DemoStep("gazetteer", _seed_demo_gazetteer))


def _seed_demo_gazetteer(seed: int, scale: str) -> int:
    from shouwang.gazetteer.demo import seed_demo_gazetteer

    return seed_demo_gazetteer(seed=seed)
