"""What devices report that must be kept: alarms (never coalesced, never shed) and maintenance
items (offline, low battery, weak signal, faults), which are not alarms."""

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import User
from shouwang.devices.models.registry import Device, Platform


class AlarmKind(models.TextChoices):
    SMOKE = "smoke", _("烟雾报警")
    GAS = "gas", _("燃气泄漏报警")
    WATER_PRESSURE = "water_pressure", _("消防水压异常")
    DOOR = "door", _("门禁异常")
    SOS = "sos", _("一键求助")
    OTHER = "other", _("设备报警")


class Alarm(models.Model):
    """One alarm from one device. `dedup_key` names the alarm independently of how often a
    platform re-sends it (OneNET re-sends up to 16 times until answered 200), so a re-sent
    alarm is found here instead of becoming a second alarm."""

    device = models.ForeignKey(
        Device, verbose_name=_("设备"), on_delete=models.PROTECT, related_name="alarms"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=AlarmKind.choices)
    level = models.PositiveSmallIntegerField(_("级别"), default=1, help_text=_("1 低，2 高。"))
    source = models.CharField(_("来源"), max_length=10, choices=Platform.choices)
    dedup_key = models.CharField(max_length=200, unique=True, editable=False)
    occurred_at = models.DateTimeField(_("发生时间"))
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now, db_index=True)
    payload = models.JSONField(_("原始数据"), default=dict, blank=True)
    incident = models.ForeignKey(
        "devices.Incident",
        verbose_name=_("事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alarms",
    )
    false_alarm = models.BooleanField(_("误报"), default=False)
    marked_false_at = models.DateTimeField(_("标记误报时间"), null=True, blank=True)
    marked_false_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("设备报警")
        verbose_name_plural = _("设备报警")
        ordering: ClassVar = ["-received_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.device.serial} {self.occurred_at:%Y-%m-%d %H:%M:%S}"
        )


class MaintenanceKind(models.TextChoices):
    OFFLINE = "offline", _("设备离线")
    LOW_BATTERY = "low_battery", _("电量低")
    WEAK_SIGNAL = "weak_signal", _("信号弱")
    FAULT = "fault", _("设备故障")


class MaintenanceItem(models.Model):
    """Something to fix on a device. At most one open item per device and kind (a database
    constraint), so a device missing a hundred heartbeats is one item, not a hundred."""

    device = models.ForeignKey(
        Device, verbose_name=_("设备"), on_delete=models.CASCADE, related_name="maintenance"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MaintenanceKind.choices)
    opened_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    incident = models.ForeignKey(
        "devices.Incident",
        verbose_name=_("事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="maintenance_items",
    )

    class Meta:
        verbose_name = _("维护事项")
        verbose_name_plural = _("维护事项")
        ordering: ClassVar = ["-opened_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["device", "kind"],
                condition=models.Q(resolved_at__isnull=True),
                name="maintenance_one_open_per_device_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.device.serial}"
