from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HousingConfig(AppConfig):
    name = "shouwang.housing"
    label = "housing"
    verbose_name = _("出租房屋")

    def ready(self) -> None:
        from shouwang.housing.workers import housing_workers_register

        housing_workers_register()
        _home_links()
        from shouwang.core.demo.steps import DemoStep, register_demo_step

        register_demo_step(DemoStep("housing", _seed_demo_housing))


def _home_links() -> None:
    from shouwang.core.role_home import HOME_LINKS, HomeLink
    from shouwang.core.roles import HOUSING_HOME_ROLES as landlords

    links = [
        HomeLink(
            _("我的出租房"), _("房间、租客登记与退租、门禁卡（手机）"), "housing-home", landlords
        ),
        HomeLink(_("空房招租"), _("按镇街和租金找空房"), "housing-vacancies"),
    ]
    for link in links:
        if all(existing.url_name != link.url_name for existing in HOME_LINKS):
            HOME_LINKS.append(link)


def _seed_demo_housing(seed: int, scale: str) -> int:
    from shouwang.housing.demo import seed_demo_housing

    return seed_demo_housing(seed=seed, scale=scale)
