"""The device registry and the IoT-platform subscriptions that push data for devices."""

from typing import ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import JurisdictionNode
from shouwang.places.models import Premises, Room


class DeviceType(models.TextChoices):
    SMOKE_DETECTOR = "smoke_detector", _("烟感报警器")
    GAS_ALARM = "gas_alarm", _("燃气报警器")
    WATER_PRESSURE = "water_pressure", _("消防水压监测")
    ACCESS_CONTROLLER = "access_controller", _("门禁控制器")
    BODY_TERMINAL = "body_terminal", _("单兵终端")
    SOUNDER = "sounder", _("声光报警器")


class Platform(models.TextChoices):
    """How a device reaches us."""

    GENERIC = "generic", _("通用 HTTP 推送")
    ONENET = "onenet", _("中国移动 OneNET")
    CTWING = "ctwing", _("中国电信 CTWing")
    MQTT = "mqtt", _("MQTT")


class DeviceState(models.TextChoices):
    NEW = "new", _("未上线")
    ONLINE = "online", _("在线")
    OFFLINE = "offline", _("离线")


class Device(models.Model):
    """One smart device at a premises. `offline_after` is when it counts as offline if nothing
    more is heard (3 × its heartbeat interval after the last message), kept as a column so the
    offline sweep is one indexed range query. The per-device secret (our generic HMAC push)
    is stored encrypted with the PII key ring, because verifying a signature needs it."""

    # Unique by constraints in Meta rather than unique=True: on PostgreSQL a unique CharField
    # also gets a second (LIKE) index, and every heartbeat rewrites every index of the row
    # (it moves offline_after, itself indexed, so no update is HOT).
    serial = models.CharField(_("序列号"), max_length=64)
    # NULL, not "", for a device without one: the unique constraint allows many NULLs.
    imei = models.CharField(_("IMEI"), max_length=20, null=True, blank=True)  # noqa: DJ001
    platform = models.CharField(
        _("接入方式"), max_length=10, choices=Platform.choices, default=Platform.GENERIC
    )
    platform_device_id = models.CharField(
        _("平台设备ID"),
        max_length=64,
        blank=True,
        help_text=_("OneNET 的 dev_id / deviceName，CTWing 的 deviceId。"),
    )
    device_type = models.CharField(_("设备类型"), max_length=20, choices=DeviceType.choices)
    vendor = models.CharField(_("厂商"), max_length=50, blank=True)
    model = models.CharField(_("型号"), max_length=50, blank=True)
    premises = models.ForeignKey(
        Premises,
        verbose_name=_("场所"),
        on_delete=models.PROTECT,
        related_name="devices",
        db_index=False,  # (premises, state) below serves it
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("房间"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
    )
    heartbeat_interval_s = models.PositiveIntegerField(
        _("心跳间隔（秒）"), default=300, validators=[MinValueValidator(10)]
    )
    secret_cipher = models.TextField(blank=True, editable=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=DeviceState.choices, default=DeviceState.NEW
    )
    last_seen_at = models.DateTimeField(_("最近通信"), null=True, blank=True)
    offline_after = models.DateTimeField(_("离线判定时间"), null=True, blank=True, editable=False)
    state_changed_at = models.DateTimeField(_("状态变化时间"), null=True, blank=True)
    simulated = models.BooleanField(_("模拟设备"), default=False)
    alarm_count = models.PositiveIntegerField(_("报警次数"), default=0)
    false_alarm_count = models.PositiveIntegerField(_("误报次数"), default=0)
    fault_count = models.PositiveIntegerField(_("故障次数"), default=0)
    battery_level = models.SmallIntegerField(_("电量（%）"), null=True, blank=True)
    rsrp = models.SmallIntegerField(_("信号强度 RSRP（dBm）"), null=True, blank=True)
    snr = models.SmallIntegerField(_("信噪比 SNR（dB）"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("智能设备")
        verbose_name_plural = _("智能设备")
        ordering: ClassVar = ["serial"]
        indexes: ClassVar = [
            models.Index(
                fields=["offline_after"],
                name="device_online_deadline",
                condition=models.Q(state="online"),
            ),
            models.Index(fields=["premises", "state"]),
            models.Index(fields=["platform_device_id"], name="device_platform_id"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["serial"], name="device_serial_unique"),
            models.UniqueConstraint(fields=["imei"], name="device_imei_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_device_type_display()} {self.serial}"


class PushSubscription(models.Model):
    """An IoT platform's push to us. OneNET signs each push with `token` (the 数据推送 token set
    in its console), kept encrypted because verifying needs it. CTWing does not sign: its push
    URL carries a secret, of which only the SHA-256 is kept, and `allowed_sources` may list the
    addresses (CIDRs) it pushes from."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    platform = models.CharField(
        _("平台"),
        max_length=10,
        choices=[
            (Platform.ONENET.value, Platform.ONENET.label),
            (Platform.CTWING.value, Platform.CTWING.label),
        ],
    )
    name = models.CharField(_("名称"), max_length=100)
    token_cipher = models.TextField(blank=True, editable=False)
    url_secret_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    allowed_sources = models.CharField(
        _("来源地址白名单"),
        max_length=500,
        blank=True,
        help_text=_("逗号分隔的 IP 或网段（CIDR），留空不限。"),
    )
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("平台推送订阅")
        verbose_name_plural = _("平台推送订阅")
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
