"""The case: what every matter shares, whatever channel it came in by (ARCHITECTURE.md, "One loop
for every kind of case"). A hazard or a dispute is a case plus a one-to-one detail record kept
by its own app."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.cases.states import CaseState
from shouwang.core.models import JurisdictionNode, Unit, User


class Priority(models.IntegerChoices):
    URGENT = 1, _("紧急")
    HIGH = 2, _("较急")
    NORMAL = 3, _("一般")
    LOW = 4, _("较缓")


class CaseKind(models.TextChoices):
    CALL = "call", _("110警情")
    HOTLINE = "hotline", _("12345工单")
    REPORT = "report", _("群众上报")
    ALARM = "alarm", _("设备告警")
    HAZARD = "hazard", _("隐患")
    DISPUTE = "dispute", _("矛盾纠纷")
    PATROL_FINDING = "patrol_finding", _("巡查发现")
    MAINTENANCE = "maintenance", _("设备维护")


class CaseChannel(models.TextChoices):
    PHONE_110 = "110", _("110报警电话")
    HOTLINE_12345 = "12345", _("12345热线")
    WEB = "web", _("网页")
    APP = "app", _("手机端")
    API = "api", _("系统接口")
    OPEN311 = "open311", _("Open311")
    DEVICE = "device", _("智能设备")
    INSPECTION = "inspection", _("检查")
    PATROL = "patrol", _("巡防")
    WALK_IN = "walk_in", _("来访")


class Case(models.Model):
    """One matter going through the loop. Step timestamps record the first time each step
    happened (the KPIs are measured on them); `resolved_at`, `verified_at` and `closed_at` are
    cleared again when a resolution is rejected or the case reopened, since they gate its state.
    Deadlines are columns and `next_deadline_at` is when the sweeper must look at the case next,
    so no timer lives in memory (ARCHITECTURE.md, durability rule 3)."""

    pii_fields: ClassVar = ("caller_phone", "reporter_name")

    number = models.CharField(
        _("事件编号"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    receipt_code = models.CharField(_("查询码"), max_length=16, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=CaseKind.choices)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=CaseChannel.choices)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases"
    )
    priority = models.PositiveSmallIntegerField(
        _("紧急程度"), choices=Priority.choices, default=Priority.NORMAL
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=CaseState.choices, default=CaseState.RECEIVED
    )
    lat = models.FloatField(_("纬度 (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("经度 (WGS-84)"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("所在辖区"), on_delete=models.PROTECT, related_name="cases"
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    reporter_name_cipher = models.TextField(blank=True, editable=False)
    reporter_name_hash = models.CharField(max_length=64, blank=True, editable=False)
    reporter_name_masked = models.CharField(_("报告人"), max_length=50, blank=True, editable=False)
    caller_phone_cipher = models.TextField(blank=True, editable=False)
    caller_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    caller_phone_masked = models.CharField(_("来电号码"), max_length=20, blank=True, editable=False)
    confidential = models.BooleanField(
        _("要求保密"),
        default=False,
        help_text=_("12345来电人可要求保密：处置单位看不到来电人信息。"),
    )
    description = models.TextField(_("事件描述"), max_length=4000)
    public_summary = models.TextField(
        _("处理结果（群众可见）"),
        max_length=500,
        blank=True,
        help_text=_("写给来电人或上报人的处理结果，显示在进度查询页，不得含个人信息。"),
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_created",
    )

    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("首次反馈时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处置完毕时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    accept_deadline = models.DateTimeField(_("接单时限"), null=True, blank=True)
    arrive_deadline = models.DateTimeField(_("到场时限"), null=True, blank=True)
    feedback_deadline = models.DateTimeField(_("反馈时限"), null=True, blank=True)
    resolve_deadline = models.DateTimeField(_("办结时限"), null=True, blank=True)
    next_deadline_at = models.DateTimeField(
        _("下次超时检查"), null=True, blank=True, db_index=True, editable=False
    )
    # What the service-level policy said at intake, so later changes of the policy do not move
    # the goalposts of cases already running.
    sla = models.JSONField(_("时限要求"), default=dict, blank=True, editable=False)
    round = models.PositiveSmallIntegerField(
        _("处置轮次"),
        default=1,
        help_text=_("核查不通过或重新启用后加一。"),
    )
    escalation_level = models.PositiveSmallIntegerField(_("上报层级"), default=0)
    reopened_count = models.PositiveSmallIntegerField(_("重新启用次数"), default=0)

    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    diverted = models.BooleanField(_("非警务分流"), default=False, db_index=True)
    diverted_at = models.DateTimeField(_("分流时间"), null=True, blank=True)
    diverted_to = models.ForeignKey(
        Unit,
        verbose_name=_("分流至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diverted_cases",
    )
    # Open311: service_request_id is the case id; a token is handed out when the id is not known
    # at once (GeoReport v2 tokens/{token}).
    external_token = models.CharField(
        _("外部令牌"), max_length=64, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering: ClassVar = ["-received_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["state", "received_at"]),
            models.Index(fields=["category", "received_at"]),
            models.Index(fields=["lat", "lng"]),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="case_priority_1_to_4"
            ),
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
                name="case_coordinates_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lng is not None
