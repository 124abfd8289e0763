"""What configures the loop: the category taxonomy, the routing rules that pick the responsible
unit, and the service levels that set the deadlines. All editable in the admin."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models.case import Priority
from shouwang.core.models import JurisdictionNode, NodeKind, Unit


class Category(models.Model):
    """A kind of matter. `code` is a stable ASCII slug: it is the API's `category` value and the
    Open311 `service_code`, so it never changes once published."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_police = models.BooleanField(
        _("警务类"), default=True, help_text=_("非警务类事件可一键分流到镇街综合指挥室。")
    )
    is_public = models.BooleanField(
        _("对群众开放"), default=True, help_text=_("在群众上报和 Open311 服务列表中显示。")
    )
    default_priority = models.PositiveSmallIntegerField(
        _("默认紧急程度"), choices=Priority.choices, default=Priority.NORMAL
    )
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("以空格分隔，便于接警员检索。")
    )
    pinyin_initials = models.CharField(
        _("拼音首字母"), max_length=60, blank=True, db_index=True, editable=False
    )
    sort = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")
        ordering: ClassVar = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language: the English name for an English interface when
        the taxonomy has one, else the Chinese name."""
        english = (get_language() or "").startswith("en")
        return self.name_en if english and self.name_en else self.name

    def clean(self) -> None:
        ancestor, seen = self.parent, {self.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError({"parent": _("上级类别不能形成循环。")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class RoutingRule(models.Model):
    """Category × jurisdiction → responsible unit. A rule applies to its node's whole subtree;
    an empty category applies to every category. See rules/unit_routing.py for the fallback
    chain when no rule matches."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("留空表示所有类别。"),
    )
    node = models.ForeignKey(
        JurisdictionNode,
        verbose_name=_("适用辖区"),
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    order = models.PositiveIntegerField(_("顺序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        ordering: ClassVar = ["node__path", "order", "id"]

    def __str__(self) -> str:
        category = self.category.name if self.category else _("所有类别")
        return f"{category} @ {self.node.name} → {self.unit.name}"


class SlaPolicy(models.Model):
    """Time limits per category, priority and kind of town. The most specific active policy
    wins (rules/sla.py). `arrive_within_min` empty means the matter needs no one on scene
    (a 12345 item answered by phone). Resolution is limited either in hours or in working days
    (chinese-calendar, so 调休 weekends count as working days)."""

    name = models.CharField(_("名称"), max_length=100)
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text=_("留空表示所有类别。"),
    )
    priority = models.PositiveSmallIntegerField(
        _("紧急程度"), choices=Priority.choices, null=True, blank=True
    )
    town_kind = models.CharField(
        _("镇街类型"),
        max_length=10,
        blank=True,
        choices=[(k.value, k.label) for k in (NodeKind.STREET, NodeKind.TOWN, NodeKind.TOWNSHIP)],
        help_text=_("110 出警：城区街道 5 分钟，郊区和镇 10 分钟。留空表示不限。"),
    )
    accept_within_s = models.PositiveIntegerField(
        _("接单时限（秒）"), default=180, validators=[MinValueValidator(1)]
    )
    arrive_within_min = models.PositiveIntegerField(
        _("到场时限（分钟）"), null=True, blank=True, default=8, validators=[MinValueValidator(1)]
    )
    feedback_within_min = models.PositiveIntegerField(
        _("反馈时限（分钟）"), null=True, blank=True, default=30, validators=[MinValueValidator(1)]
    )
    resolve_within_h = models.PositiveIntegerField(
        _("办结时限（小时）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    resolve_working_days = models.PositiveIntegerField(
        _("办结时限（工作日）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    requires_ack = models.BooleanField(_("派单须确认"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("时限要求")
        verbose_name_plural = _("时限要求")
        ordering: ClassVar = ["category__code", "priority", "town_kind", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.resolve_within_h is not None and self.resolve_working_days is not None:
            raise ValidationError(
                {"resolve_working_days": _("办结时限按小时或按工作日计，只能填一个。")}
            )
