from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HousingConfig(AppConfig):
    name = "shouwang.housing"
    label = "housing"
    verbose_name = _("出租房屋")

    def ready(self) -> None:
        from shouwang.housing.workers import housing_workers_register

        housing_workers_register()
