"""The ground everything stands on: the jurisdiction tree, organisational units, people, API
tokens and the audit log."""

import re
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CITY_CODE_RE = re.compile(r"^\d{6}$")
TOWN_CODE_RE = re.compile(r"^\d{9}000$")
VILLAGE_CODE_RE = re.compile(r"^\d{12}$")
GRID_CODE_RE = re.compile(r"^\d{15}$")


class NodeLevel(models.TextChoices):
    CITY = "city", _("市/县")
    TOWN = "town", _("镇街")
    VILLAGE = "village", _("村社")
    GRID = "grid", _("网格")


class NodeKind(models.TextChoices):
    CITY = "city", _("市")
    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    GRID = "grid", _("网格")


LEVEL_DEPTH = {NodeLevel.CITY: 0, NodeLevel.TOWN: 1, NodeLevel.VILLAGE: 2, NodeLevel.GRID: 3}
PARENT_LEVEL = {
    NodeLevel.TOWN: NodeLevel.CITY,
    NodeLevel.VILLAGE: NodeLevel.TOWN,
    NodeLevel.GRID: NodeLevel.VILLAGE,
}


class JurisdictionNode(models.Model):
    """A node of city → town/street → village/community → grid. `path` holds the codes from the
    root ("/330782/330782001000/"), so a subtree is one indexed prefix query."""

    code = models.CharField(_("区划代码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=NodeLevel.choices)
    kind = models.CharField(_("类型"), max_length=10, choices=NodeKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=200, unique=True, editable=False)
    boundary = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)
    centre_lng = models.FloatField(_("中心经度"), null=True, blank=True)
    centre_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("辖区")
        verbose_name_plural = _("辖区")
        ordering: ClassVar = ["path"]
        indexes: ClassVar = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        pattern = {
            NodeLevel.CITY: CITY_CODE_RE,
            NodeLevel.TOWN: TOWN_CODE_RE,
            NodeLevel.VILLAGE: VILLAGE_CODE_RE,
            NodeLevel.GRID: GRID_CODE_RE,
        }[NodeLevel(self.level)]
        if not pattern.match(self.code):
            raise ValidationError({"code": _("区划代码格式与层级不符。")})
        if self.level == NodeLevel.CITY:
            if self.parent_id is not None:
                raise ValidationError({"parent": _("市级辖区不能有上级。")})
            return
        if self.parent is None or self.parent.level != PARENT_LEVEL[NodeLevel(self.level)]:
            raise ValidationError({"parent": _("上级辖区的层级不对。")})
        if not self.code_fits_parent():
            raise ValidationError({"code": _("区划代码与上级代码不一致。")})

    def code_fits_parent(self) -> bool:
        assert self.parent is not None
        if self.level == NodeLevel.TOWN:
            return self.code.startswith(self.parent.code)
        if self.level == NodeLevel.VILLAGE:
            return self.code[:9] == self.parent.code[:9] and not self.code.endswith("000")
        return self.code.startswith(self.parent.code)

    def contains(self, other: "JurisdictionNode") -> bool:
        return other.path.startswith(self.path)


class UnitKind(models.TextChoices):
    COMMAND_CENTRE = "command_centre", _("指挥中心")
    POLICE_STATION = "police_station", _("派出所")
    TOWN_COMMAND = "town_command", _("镇街综合指挥室")
    DEPARTMENT = "department", _("职能部门")
    VILLAGE_COMMITTEE = "village_committee", _("村社")
    FIRE_COMMAND = "fire_command", _("街道消防指挥中心")
    MICRO_FIRE_STATION = "micro_fire_station", _("微型消防站")
    PATROL_TEAM = "patrol_team", _("护村队/巡防队")
    PROPERTY_SECURITY = "property_security", _("物业保安")
    TEN_HOUSEHOLD_GROUP = "ten_household_group", _("十户联防组")
    MEDIATION_STUDIO = "mediation_studio", _("调解工作室")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿者队伍")
    OTHER = "other", _("其他")


class Unit(models.Model):
    """An organisation that takes work: a police station, a town command room, a department, a
    micro fire station, a patrol team. `node` is the area it answers for."""

    code = models.CharField(_("单位编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=UnitKind.choices)
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("负责辖区"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", _("指挥中心值班员")
    RESPONDER = "responder", _("处置人员")
    FIRST_RESPONDER = "first_responder", _("先行处置力量")
    VOLUNTEER = "volunteer", _("平安志愿者")
    INSPECTOR = "inspector", _("检查员")
    MEDIATOR = "mediator", _("调解员")
    LANDLORD = "landlord", _("房东/物业")
    LEADER = "leader", _("领导/综治中心")
    ADMIN = "admin", _("系统管理员")


class User(AbstractUser):
    """A person with an account. Personal data (phone, ID number) is stored only encrypted, with a
    keyed hash for exact lookup and a masked copy for display; see core/services/pii.py."""

    pii_fields: ClassVar = ("phone", "id_number")

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.VOLUNTEER)
    node = models.ForeignKey(
        JurisdictionNode,
        verbose_name=_("所属辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        permissions: ClassVar = [("reveal_pii", _("可查看完整个人信息"))]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A bearer token for /api/v1/. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class RecoveryCode(models.Model):
    """A single-use code that stands in for the authenticator app (ten per enrolment). Only a
    keyed hash is stored; `used_at` marks it spent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("备用验证码")
        verbose_name_plural = _("备用验证码")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("登录")
    SIGN_IN_FAILED = "sign_in_failed", _("登录失败")
    SIGN_IN_LOCKED = "sign_in_locked", _("登录被锁定")
    SIGN_IN_UNLOCKED = "sign_in_unlocked", _("解除登录锁定")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("绑定双因素认证")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("双因素验证失败")
    SECOND_FACTOR_RESET = "second_factor_reset", _("重置双因素认证")
    SIGN_OUT = "sign_out", _("退出")
    TOKEN_ISSUED = "token_issued", _("签发 API 令牌")
    TOKEN_REVOKED = "token_revoked", _("吊销 API 令牌")
    PERMISSION_CHANGED = "permission_changed", _("权限变更")
    ROLE_CHANGED = "role_changed", _("角色变更")
    PERSON_CREATED = "person_created", _("新增人员")
    PII_REVEALED = "pii_revealed", _("查看完整个人信息")
    PII_KEYS_ROTATED = "pii_keys_rotated", _("个人信息密钥轮换")
    DATA_IMPORTED = "data_imported", _("批量导入数据")
    OUTBOX_RESENT = "outbox_resent", _("重新发送通知")
    DEVICE_COMMAND = "device_command", _("向设备下发指令")
    HOUSING_LOOKUP = "housing_lookup", _("查询租住信息")


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
    DENIED = "denied", _("拒绝")


class AuditEntry(models.Model):
    """Who did what, when, with what result (GB/T 22239-2019 level 3). Append-only: database
    triggers refuse UPDATE, and DELETE of entries younger than the retention period (网络安全法
    §21: kept at least six months)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("账号"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=32, choices=AuditAction.choices)
    result = models.CharField(_("结果"), max_length=10, choices=AuditResult.choices)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象说明"), max_length=200, blank=True)
    node_path = models.CharField(_("辖区路径"), max_length=200, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.result}"


class IdempotencyKey(models.Model):
    """The first answer to a request sent with an `Idempotency-Key` header, kept so that a
    retry with the same key and body gets that answer again instead of acting twice. Written in
    the same transaction as what the request did; the unique (actor, key) makes a concurrent
    duplicate wait for the first and then find its answer."""

    actor = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["actor", "key"], name="idempotency_actor_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.key}"
