"""Ten-household joint-defence groups (十户联防, core Units of kind TEN_HOUSEHOLD_GROUP): their
members, one-tap alerts and each member's acknowledgement and arrival."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import Unit, User


class GroupMember(models.Model):
    """A household's member of a group. The phone is the person's own (core User, PII)."""

    group = models.ForeignKey(
        Unit, verbose_name=_("联防组"), on_delete=models.CASCADE, related_name="group_members"
    )
    person = models.ForeignKey(
        User, verbose_name=_("成员"), on_delete=models.CASCADE, related_name="household_groups"
    )
    household = models.CharField(_("户"), max_length=100, blank=True)
    is_head = models.BooleanField(_("联防长"), default=False)
    has_alarm_button = models.BooleanField(_("已装一键报警"), default=False)

    class Meta:
        verbose_name = _("联防组成员")
        verbose_name_plural = _("联防组成员")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["group", "person"], name="group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.person}"


class GroupAlert(models.Model):
    group = models.ForeignKey(
        Unit, verbose_name=_("联防组"), on_delete=models.PROTECT, related_name="group_alerts"
    )
    raised_by = models.ForeignKey(
        User, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("报警时间"), db_index=True)
    lat = models.FloatField()
    lng = models.FloatField()
    note = models.CharField(_("说明"), max_length=500, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_alert",
    )

    class Meta:
        verbose_name = _("联防报警")
        verbose_name_plural = _("联防报警")
        ordering: ClassVar = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.group} {self.raised_at:%Y-%m-%d %H:%M}"


class AlertResponse(models.Model):
    """One member's answer to an alert: when they acknowledged, when they arrived (checked by
    position). Made for every member but the one who raised it, at the moment of the alert."""

    alert = models.ForeignKey(GroupAlert, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    acked_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    arrive_distance_m = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("联防响应")
        verbose_name_plural = _("联防响应")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["alert", "person"], name="alert_response_once")
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} · {self.person_id}"
