"""What is open at a premises because of its devices, and the case that carries it. One open
incident per premises and kind (a database constraint): ten detectors going off in one building
are one alarm incident, one case, ten alarms; the five contacts are notified once per incident
and each acknowledgement is recorded here."""

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import Unit, User
from shouwang.places.models import ContactRole, Premises


class IncidentKind(models.TextChoices):
    ALARM = "alarm", _("报警")
    MAINTENANCE = "maintenance", _("设备维护")


class Incident(models.Model):
    """`case_id` is the closed loop's case (cases.Case), kept as a plain id so the devices
    tables do not depend on the cases app's migrations."""

    premises = models.ForeignKey(
        Premises, verbose_name=_("场所"), on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=IncidentKind.choices)
    case_id = models.BigIntegerField(_("事件单"), null=True, blank=True, db_index=True)
    opened_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    close_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    # The micro fire station is to be on scene within one minute (seed 002).
    arrive_deadline = models.DateTimeField(_("微型消防站到场时限"), null=True, blank=True)
    station_arrived_at = models.DateTimeField(_("微型消防站到场时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("场所事件")
        verbose_name_plural = _("场所事件")
        ordering: ClassVar = ["-opened_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["premises", "kind"],
                condition=models.Q(closed_at__isnull=True),
                name="incident_one_open_per_premises_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.premises.name} {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def station_on_time(self) -> bool | None:
        if self.arrive_deadline is None or self.station_arrived_at is None:
            return None
        return self.station_arrived_at <= self.arrive_deadline


class ContactNotice(models.Model):
    """One of the five contacts told about an alarm incident, and whether they acknowledged
    (from the phone page, the API, or the signed link of a DingTalk/WeCom card)."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="notices"
    )
    role = models.CharField(_("角色"), max_length=24, choices=ContactRole.choices)
    person = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fallback = models.BooleanField(_("兜底联系人"), default=False)
    # An outside channel the contact is also reached on (places.AlarmContact.extra_channel).
    extra_channel = models.CharField(_("其他渠道"), max_length=16, blank=True)
    extra_recipient = models.CharField(_("渠道接收方编码"), max_length=64, blank=True)
    notified_at = models.DateTimeField(_("通知时间"), default=timezone.now)
    ack_deadline = models.DateTimeField(_("确认时限"))
    acked_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ack_via = models.CharField(_("确认方式"), max_length=16, blank=True)
    reminders = models.PositiveSmallIntegerField(_("提醒次数"), default=0)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报警通知")
        verbose_name_plural = _("报警通知")
        ordering: ClassVar = ["incident", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["incident", "role"], name="notice_once_per_role")
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["ack_deadline"],
                name="notice_awaiting_ack",
                condition=models.Q(acked_at__isnull=True, escalated_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident} {self.get_role_display()}"
