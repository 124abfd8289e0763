from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "shouwang.notify"
    label = "notify"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from shouwang.notify.delivery.worker import notify_workers_register

        notify_workers_register()
