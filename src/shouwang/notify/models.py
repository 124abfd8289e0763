"""The transactional outbox: every notification is a row written in the same transaction as the
state change that caused it, and delivered afterwards by workers (ARCHITECTURE.md, durability
rule 2)."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import JurisdictionNode, User


class Channel(models.TextChoices):
    WEBSOCKET = "websocket", _("实时推送")
    WEBHOOK = "webhook", _("Webhook")
    DINGTALK = "dingtalk", _("钉钉机器人")
    WECOM = "wecom", _("企业微信机器人")
    SMS = "sms", _("短信/语音")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("发送失败")


class OutboxMessage(models.Model):
    """One message to one recipient on one channel. `recipient` is a WebSocket group name
    (see notify/groups.py), a webhook endpoint or robot code, or a person's username (SMS)."""

    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(_("接收方"), max_length=200)
    payload = models.JSONField(_("内容"))
    idempotency_key = models.CharField(_("幂等键"), max_length=200, unique=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    # Counted when a worker claims the row (delivery/claim.py), so that a message whose delivery
    # kills the worker still runs out of attempts; a robot message held back by its rate budget
    # gets the attempt back.
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    max_attempts = models.PositiveIntegerField(_("最多尝试"), default=8)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    lease_until = models.DateTimeField(null=True, blank=True)
    # Which worker holds the lease: an outcome is recorded only by the lease holder, so a worker
    # that overran its lease cannot overwrite what the worker that took over recorded.
    lease_owner = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    provider_ref = models.CharField(_("对方编号"), max_length=100, blank=True)
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("辖区"), null=True, blank=True, on_delete=models.SET_NULL
    )
    person = models.ForeignKey(
        User,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    requires_ack = models.BooleanField(_("需确认"), default=False)
    ack_deadline = models.DateTimeField(_("确认时限"), null=True, blank=True)
    acked_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    renotified_at = models.DateTimeField(_("再次提醒时间"), null=True, blank=True)
    renotify_of = models.ForeignKey(
        "self",
        verbose_name=_("原消息"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="renotifications",
    )
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("通知消息")
        verbose_name_plural = _("通知消息")
        indexes: ClassVar = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["person", "-created_at"]),
            # The acknowledgement sweep reads only messages still waiting for an ack.
            models.Index(
                fields=["ack_deadline"],
                name="notify_awaiting_ack",
                condition=models.Q(
                    requires_ack=True, acked_at__isnull=True, renotified_at__isnull=True
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.recipient} [{self.state}]"


class WebhookEndpoint(models.Model):
    """An outside system that receives signed JSON POSTs. `secret` keys the HMAC signature; it
    is stored in clear because signing needs it."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200)
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("辖区"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Webhook 接收方")
        verbose_name_plural = _("Webhook 接收方")
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class RobotKind(models.TextChoices):
    DINGTALK = Channel.DINGTALK.value, _("钉钉机器人")
    WECOM = Channel.WECOM.value, _("企业微信机器人")


class RobotWebhook(models.Model):
    """A group-chat robot. DingTalk: `url` carries the access_token and `secret` is the optional
    signing secret (加签). WeCom: `url` carries the key; no secret."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=RobotKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("辖区"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
