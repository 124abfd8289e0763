from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "shouwang.devices"
    label = "devices"
    verbose_name = _("智能设备")

    def ready(self) -> None:
        from shouwang.devices.workers import devices_workers_register

        devices_workers_register()
