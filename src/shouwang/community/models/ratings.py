"""Participation stars of co-governance units (seed 004: 1,033 units rated by stars). One row per
unit and month, never overwritten once the month is over: the history is kept."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import Unit


class UnitRating(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="participation"
    )
    month = models.DateField(_("月份"))
    patrol_hours = models.FloatField(_("巡防小时"), default=0)
    alerts_answered = models.FloatField(_("按时到场率"), default=0)
    score = models.PositiveSmallIntegerField(_("参与度得分"))
    stars = models.PositiveSmallIntegerField(_("星级"))
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("参与度星级")
        verbose_name_plural = _("参与度星级")
        ordering: ClassVar = ["-month", "unit"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["unit", "month"], name="unit_rating_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m} {self.stars}★"
