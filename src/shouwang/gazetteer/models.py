"""The standard address gazetteer (标准地址库): the places people name when they call — a house
number on a road, a community or village, a landmark — each with its WGS-84 position, the grid
it lies in and the keys the geocoder matches on."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class AddressKind(models.TextChoices):
    HOUSE = "house", _("门牌地址")
    COMMUNITY = "community", _("社区/小区")
    VILLAGE = "village", _("村")
    LANDMARK = "landmark", _("地标/兴趣点")


class Address(models.Model):
    text = models.CharField(_("地址"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=AddressKind.choices)
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    node = models.ForeignKey(
        "core.JurisdictionNode",
        verbose_name=_("所在网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The text without province, city and town, qualifiers or 号: what a caller's words are
    # compared with. `initials` holds the pinyin initials of that key (国际商贸城 -> gjsmc).
    key = models.CharField(_("检索键"), max_length=200, db_index=True)
    initials = models.CharField(_("拼音首字母"), max_length=200, db_index=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")
        ordering: ClassVar = ["text"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="gazetteer_address_coords_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.text
