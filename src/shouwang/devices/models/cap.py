"""Alerts published as OASIS CAP 1.2 (Common Alerting Protocol). A row is one CAP message and
never changes once sent, as CAP messages do not: an update or a cancellation is a new row
whose `references` names the earlier one, which is then marked superseded. Value sets are the
standard's enumerations, spelled as the schema spells them."""

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import JurisdictionNode


class CapStatus(models.TextChoices):
    ACTUAL = "Actual", _("实际")
    EXERCISE = "Exercise", _("演练")
    SYSTEM = "System", _("系统")
    TEST = "Test", _("测试")
    DRAFT = "Draft", _("草稿")


class CapMsgType(models.TextChoices):
    ALERT = "Alert", _("预警")
    UPDATE = "Update", _("更新")
    CANCEL = "Cancel", _("解除")


class CapScope(models.TextChoices):
    PUBLIC = "Public", _("公开")
    RESTRICTED = "Restricted", _("限定范围")


class CapCategory(models.TextChoices):
    GEO = "Geo", _("地质")
    MET = "Met", _("气象")
    SAFETY = "Safety", _("公共安全")
    SECURITY = "Security", _("治安")
    RESCUE = "Rescue", _("救援")
    FIRE = "Fire", _("火灾")
    HEALTH = "Health", _("卫生")
    ENV = "Env", _("环境")
    TRANSPORT = "Transport", _("交通")
    INFRA = "Infra", _("基础设施")
    CBRNE = "CBRNE", _("危化品")
    OTHER = "Other", _("其他")


class CapUrgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("立即")
    EXPECTED = "Expected", _("即将")
    FUTURE = "Future", _("将来")
    PAST = "Past", _("已过去")
    UNKNOWN = "Unknown", _("未知")


class CapSeverity(models.TextChoices):
    EXTREME = "Extreme", _("特别严重")
    SEVERE = "Severe", _("严重")
    MODERATE = "Moderate", _("较重")
    MINOR = "Minor", _("一般")
    UNKNOWN = "Unknown", _("未知")


class CapCertainty(models.TextChoices):
    OBSERVED = "Observed", _("已观测")
    LIKELY = "Likely", _("很可能")
    POSSIBLE = "Possible", _("可能")
    UNLIKELY = "Unlikely", _("不太可能")
    UNKNOWN = "Unknown", _("未知")


class CapAlert(models.Model):
    """`polygon` is a closed ring of [lat, lng] pairs in WGS-84 (CAP's own order); a circle is
    its centre and radius in kilometres. Restricted alerts (device alarms at a premises) are
    shown only to token holders whose jurisdiction holds `node`."""

    identifier = models.CharField(_("标识"), max_length=120, unique=True)
    sender = models.CharField(_("发布者"), max_length=120)
    sent = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CapStatus.choices, default=CapStatus.ACTUAL
    )
    msg_type = models.CharField(
        _("消息类型"), max_length=10, choices=CapMsgType.choices, default=CapMsgType.ALERT
    )
    scope = models.CharField(_("范围"), max_length=12, choices=CapScope.choices)
    restriction = models.CharField(_("限定说明"), max_length=200, blank=True)
    references = models.TextField(_("引用"), blank=True, editable=False)
    category = models.CharField(_("类别"), max_length=10, choices=CapCategory.choices)
    event = models.CharField(_("事件"), max_length=100)
    urgency = models.CharField(_("紧迫程度"), max_length=10, choices=CapUrgency.choices)
    severity = models.CharField(_("严重程度"), max_length=10, choices=CapSeverity.choices)
    certainty = models.CharField(_("确定程度"), max_length=10, choices=CapCertainty.choices)
    headline = models.CharField(_("标题"), max_length=160)
    description = models.TextField(_("描述"), blank=True)
    instruction = models.TextField(_("行动建议"), blank=True)
    headline_en = models.CharField(_("英文标题"), max_length=160, blank=True)
    description_en = models.TextField(_("英文描述"), blank=True)
    instruction_en = models.TextField(_("英文行动建议"), blank=True)
    expires = models.DateTimeField(_("失效时间"), null=True, blank=True)
    area_desc = models.CharField(_("区域描述"), max_length=200)
    polygon = models.JSONField(_("多边形 [[纬度, 经度], …]"), null=True, blank=True)
    circle_lat = models.FloatField(_("圆心纬度"), null=True, blank=True)
    circle_lng = models.FloatField(_("圆心经度"), null=True, blank=True)
    circle_radius_km = models.FloatField(_("半径（公里）"), null=True, blank=True)
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    incident = models.ForeignKey(
        "devices.Incident",
        verbose_name=_("场所事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cap_alerts",
    )
    superseded_at = models.DateTimeField(_("被取代时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("CAP 预警")
        verbose_name_plural = _("CAP 预警")
        ordering: ClassVar = ["-sent", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(circle_lat__isnull=True)
                | models.Q(circle_lng__isnull=False, circle_radius_km__gte=0),
                name="cap_circle_complete",
            )
        ]

    def __str__(self) -> str:
        return self.identifier
