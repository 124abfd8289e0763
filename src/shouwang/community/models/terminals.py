"""Body-worn terminals (警保民 执法记录仪/对讲终端): one bound to one person at a time."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import JurisdictionNode, User


class BodyTerminal(models.Model):
    serial = models.CharField(_("终端编号"), max_length=64, unique=True)
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("所属辖区"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.OneToOneField(
        User,
        verbose_name=_("佩戴人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="body_terminal",
    )
    last_lat = models.FloatField(null=True, blank=True)
    last_lng = models.FloatField(null=True, blank=True)
    last_report_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("警保民终端")
        verbose_name_plural = _("警保民终端")
        ordering: ClassVar = ["serial"]

    def __str__(self) -> str:
        return self.serial
