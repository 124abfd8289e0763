"""Premises (场所 / 共治单位), their rooms, and who is alarmed when something at the premises goes
off. Minimal on purpose: enough for devices and alarm fan-out (seed 002); inspections, star
ratings and QR pages grow here later."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import JurisdictionNode, Unit, User


class PremisesKind(models.TextChoices):
    RENTAL_HOUSE = "rental_house", _("出租房")
    SHOP = "shop", _("商铺")
    NINE_SMALL = "nine_small", _("九小场所")
    ENTERPRISE = "enterprise", _("企业")
    MARKET = "market", _("市场")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    RESIDENTIAL = "residential", _("住宅楼")
    OTHER = "other", _("其他")


class Premises(models.Model):
    """A place that holds devices and people: a rental house, a shop, a school. `node` is the
    deepest jurisdiction node it lies in (a grid where known), which scopes who sees it."""

    code = models.CharField(_("场所编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=PremisesKind.choices)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lat = models.FloatField(_("纬度 (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("经度 (WGS-84)"), null=True, blank=True)
    node = models.ForeignKey(
        JurisdictionNode,
        verbose_name=_("所在辖区"),
        on_delete=models.PROTECT,
        related_name="premises",
    )
    # What the public QR code at the door carries (seed 001): a random token, not the code.
    qr_token = models.CharField(_("二维码令牌"), max_length=32, unique=True, null=True, blank=True)
    # The unit's star rating (seed 004: 1,033 units rated one to five stars), computed by the
    # inspections app from its record; places only keeps the latest value for lists and pages.
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    stars_at = models.DateTimeField(_("星级评定时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(models.Q(lat__isnull=True) & models.Q(lng__isnull=True))
                | models.Q(
                    lat__isnull=False,
                    lng__isnull=False,
                    lat__gte=-90,
                    lat__lte=90,
                    lng__gte=-180,
                    lng__lte=180,
                ),
                name="premises_coordinates_both_or_none",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Room(models.Model):
    """A room of a premises (seed 002: 523,000 rental rooms), where a detector hangs."""

    premises = models.ForeignKey(
        Premises, verbose_name=_("场所"), on_delete=models.CASCADE, related_name="rooms"
    )
    number = models.CharField(_("房间号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)

    class Meta:
        verbose_name = _("房间")
        verbose_name_plural = _("房间")
        ordering: ClassVar = ["premises", "floor", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["premises", "number"], name="room_number_per_premises")
        ]

    def __str__(self) -> str:
        return f"{self.premises.name} {self.number}"


class ContactRole(models.TextChoices):
    """The five parties a smoke alarm reaches at once (seed 002)."""

    FIRE_OFFICER = "fire_officer", _("居委会消管员")
    GRID_LEADER = "grid_leader", _("网格长")
    LANDLORD = "landlord", _("房东")
    MICRO_FIRE_STATION = "micro_fire_station", _("微型消防站")
    FIRE_COMMAND = "fire_command", _("街道消防指挥中心")


class ExtraChannel(models.TextChoices):
    NONE = "", _("无")
    WEBHOOK = "webhook", _("Webhook")
    DINGTALK = "dingtalk", _("钉钉机器人")
    WECOM = "wecom", _("企业微信机器人")


class AlarmContact(models.Model):
    """Who answers for one role at one premises: a person or a unit. Several rows of one role
    are fallbacks, tried by `order` (an inactive person or unit is skipped). A contact may also
    be reached on an outside channel (its own system's webhook, a group robot), named by the
    notify app's endpoint or robot code."""

    premises = models.ForeignKey(
        Premises, verbose_name=_("场所"), on_delete=models.CASCADE, related_name="alarm_contacts"
    )
    role = models.CharField(_("角色"), max_length=24, choices=ContactRole.choices)
    person = models.ForeignKey(
        User,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alarm_contacts",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alarm_contacts",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    extra_channel = models.CharField(
        _("其他渠道"), max_length=16, choices=ExtraChannel.choices, default="", blank=True
    )
    extra_recipient = models.CharField(
        _("渠道接收方编码"), max_length=64, blank=True, help_text=_("Webhook 或群机器人的编码。")
    )

    class Meta:
        verbose_name = _("报警联系人")
        verbose_name_plural = _("报警联系人")
        ordering: ClassVar = ["premises", "role", "order", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(unit__isnull=False),
                name="alarm_contact_has_person_or_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.premises.name} {self.get_role_display()}: {self.person or self.unit}"

    def clean(self) -> None:
        if self.person_id is None and self.unit_id is None:
            raise ValidationError(_("联系人须指定人员或单位。"))
        if self.extra_channel and not self.extra_recipient:
            raise ValidationError({"extra_recipient": _("选择了其他渠道，请填写接收方编码。")})
