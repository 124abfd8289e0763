"""Checklists, inspections, hazards and enforcement (大排查 / 大整治, seeds 001-003). A hazard is
a case of the one loop (kind=hazard, channel=inspection); its detail record here holds what the
loop does not know: the level, the item, who must fix it, the deadline and the rounds."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import JurisdictionNode, User
from shouwang.places.models import Premises


class Severity(models.TextChoices):
    """The hazard levels of the rectification rules (一般 / 较大 / 重大)."""

    GENERAL = "general", _("一般")
    MAJOR = "major", _("较大")
    SERIOUS = "serious", _("重大")


class ChecklistTemplate(models.Model):
    """One version of a checklist. An inspection keeps the row it used; editing a template in
    use means a new version (the admin action copies it), so old records never change.
    `premises_kind` blank means "any kind" (the gas checklist applies to every gas user)."""

    code = models.CharField(_("清单编码"), max_length=40)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    premises_kind = models.CharField(_("适用场所类型"), max_length=20, blank=True)
    is_current = models.BooleanField(_("当前版本"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查清单")
        verbose_name_plural = _("检查清单")
        ordering: ClassVar = ["code", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["code", "version"], name="template_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(is_current=True), name="template_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("检查项编码"), max_length=40)
    text = models.CharField(_("检查内容"), max_length=200)
    severity = models.CharField(
        _("不合格时隐患等级"), max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    required = models.BooleanField(_("必答"), default=True)
    photo_required = models.BooleanField(_("不合格须拍照"), default=False)
    legal_basis = models.CharField(_("依据"), max_length=200, blank=True)
    # The loop's category a failed answer opens its hazard case in (cases' taxonomy).
    category_code = models.CharField(_("隐患类别编码"), max_length=40, default="safety_hazard")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering: ClassVar = ["template", "order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["template", "code"], name="item_code_per_template")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Inspection(models.Model):
    """One visit: a template run on a premises. `idempotency_key` is the phone's draft id, so a
    draft sent twice after a dropped connection is one inspection. The position is recorded and
    compared with the premises' (`distance_m`); a far one is flagged, not refused: a basement
    or a bad fix must not stop the record (the supervisor sees the flag)."""

    premises = models.ForeignKey(
        Premises, verbose_name=_("场所"), on_delete=models.PROTECT, related_name="inspections"
    )
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("清单"), on_delete=models.PROTECT, related_name="+"
    )
    inspector = models.ForeignKey(
        User, verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="inspections"
    )
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("所在辖区"), on_delete=models.PROTECT, related_name="+"
    )
    lat = models.FloatField(_("纬度 (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("经度 (WGS-84)"), null=True, blank=True)
    distance_m = models.FloatField(_("距场所距离（米）"), null=True, blank=True)
    far_from_premises = models.BooleanField(_("定位偏离场所"), default=False)
    idempotency_key = models.CharField(_("草稿编号"), max_length=64, unique=True)
    failed_count = models.PositiveSmallIntegerField(_("不合格项数"), default=0)
    created_at = models.DateTimeField(_("检查时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["premises", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.premises.name} {self.created_at:%Y-%m-%d}"


class Answer(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查记录"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="+"
    )
    ok = models.BooleanField(_("合格"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    photo = models.ImageField(_("照片"), upload_to="inspections/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["inspection", "item"], name="answer_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {'✓' if self.ok else '✗'}"


class HazardStatus(models.TextChoices):
    AWAITING_RECTIFICATION = "awaiting_rectification", _("待整改")
    AWAITING_REINSPECTION = "awaiting_reinspection", _("待复查")
    CLOSED = "closed", _("已销号")


class Hazard(models.Model):
    """The detail record of a hazard case. `first_deadline` is the deadline set when found (the
    on-time rate is measured on it); `deadline` is the one in force for the current round."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("事件"),
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="hazard",
    )
    premises = models.ForeignKey(
        Premises, verbose_name=_("场所"), on_delete=models.PROTECT, related_name="hazards"
    )
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("所在辖区"), on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("检查记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("检查项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(_("隐患等级"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("整改状态"),
        max_length=24,
        choices=HazardStatus.choices,
        default=HazardStatus.AWAITING_RECTIFICATION,
        db_index=True,
    )
    responsible = models.ForeignKey(
        User,
        verbose_name=_("整改责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_responsible",
    )
    found_at = models.DateTimeField(_("发现时间"), db_index=True)
    first_deadline = models.DateTimeField(_("首次整改期限"))
    deadline = models.DateTimeField(_("整改期限"), db_index=True)
    rounds = models.PositiveSmallIntegerField(_("整改轮次"), default=1)
    escalated_round = models.PositiveSmallIntegerField(_("已逾期上报的轮次"), default=0)
    rectified_by = models.ForeignKey(
        User,
        verbose_name=_("整改提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering: ClassVar = ["-found_at"]
        indexes: ClassVar = [models.Index(fields=["premises", "status"])]

    def __str__(self) -> str:
        return f"{self.premises.name} {self.get_level_display()} #{self.case_id}"

    @property
    def on_time(self) -> bool | None:
        if self.closed_at is None:
            return None
        return self.closed_at <= self.first_deadline


class StepKind(models.TextChoices):
    RECTIFY = "rectify", _("提交整改")
    REINSPECT_PASSED = "passed", _("复查通过")
    REINSPECT_FAILED = "failed", _("复查不通过")
    OVERDUE = "overdue", _("逾期上报")


class HazardStep(models.Model):
    """What happened in each round, in order: rectifications, re-inspections, escalations."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("环节"), max_length=10, choices=StepKind.choices)
    round = models.PositiveSmallIntegerField(_("轮次"))
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改环节")
        verbose_name_plural = _("整改环节")
        ordering: ClassVar = ["hazard", "at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.kind} #{self.round}"


class PartyKind(models.TextChoices):
    HOUSEHOLD = "household", _("个人/居民用户")
    BUSINESS = "business", _("单位/经营者")
    ANY = "any", _("不限")


class Provision(models.Model):
    """A legal provision enforcement may rest on, with the fine range it allows (in yuan)."""

    code = models.CharField(_("条款编码"), max_length=40, unique=True)
    law = models.CharField(_("法规"), max_length=100)
    article = models.CharField(_("条款"), max_length=40)
    summary = models.CharField(_("内容摘要"), max_length=300)
    party = models.CharField(
        _("适用对象"), max_length=10, choices=PartyKind.choices, default=PartyKind.ANY
    )
    fine_min = models.DecimalField(
        _("罚款下限（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fine_max = models.DecimalField(
        _("罚款上限（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("法律依据")
        verbose_name_plural = _("法律依据")
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return f"{self.law} {self.article}"


class EnforcementKind(models.TextChoices):
    """罚、改、停、拘 and the warning before them."""

    WARNING = "warning", _("警告")
    ORDER = "order", _("责令整改")
    FINE = "fine", _("罚款")
    SUSPEND = "suspend", _("责令停业")
    DETENTION = "detention", _("移送拘留")


class Enforcement(models.Model):
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.PROTECT, related_name="enforcements"
    )
    kind = models.CharField(_("措施"), max_length=10, choices=EnforcementKind.choices)
    provision = models.ForeignKey(
        Provision, verbose_name=_("法律依据"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("罚款金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    number = models.CharField(_("决定书文号"), max_length=40, unique=True)
    decided_by = models.ForeignKey(User, verbose_name=_("决定人"), on_delete=models.PROTECT)
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("执法措施")
        verbose_name_plural = _("执法措施")
        ordering: ClassVar = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return self.number


class StarRecord(models.Model):
    """One computation of a premises' stars (history kept; the latest is on the premises)."""

    premises = models.ForeignKey(
        Premises, verbose_name=_("场所"), on_delete=models.CASCADE, related_name="star_records"
    )
    stars = models.PositiveSmallIntegerField(_("星级"))
    inputs = models.JSONField(_("计算依据"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("星级记录")
        verbose_name_plural = _("星级记录")
        ordering: ClassVar = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.premises_id}: {self.stars}"


class InspectionPlan(models.Model):
    """A yearly plan of a town (or any node): which premises, how many visits each."""

    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    created_by = models.ForeignKey(
        User, verbose_name=_("制定人"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")
        ordering: ClassVar = ["-year", "node"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["node", "year"], name="one_plan_per_node_year")
        ]

    def __str__(self) -> str:
        return self.name


class PlanEntry(models.Model):
    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="entries"
    )
    premises = models.ForeignKey(
        Premises, verbose_name=_("场所"), on_delete=models.CASCADE, related_name="+"
    )
    visits = models.PositiveSmallIntegerField(_("年检查次数"), default=1)
    # Inspections of the premises in the plan's year, counted as they are recorded (F() + 1),
    # so progress is one aggregate over the entries (bench: 3.7 s with a count per entry).
    made = models.PositiveSmallIntegerField(_("已检查次数"), default=0)

    class Meta:
        verbose_name = _("计划场所")
        verbose_name_plural = _("计划场所")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["plan", "premises"], name="plan_premises_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.premises_id} x{self.visits}"


class TrainingSession(models.Model):
    """A fire-safety training (消防培训, "一懂三会": know the hazards; able to report a fire,
    use an extinguisher and escape) held for premises or people of a node."""

    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("主题"), max_length=200)
    held_on = models.DateField(_("培训日期"))
    trainer = models.CharField(_("授课人"), max_length=50)
    premises = models.ManyToManyField(
        Premises, verbose_name=_("参训场所"), blank=True, related_name="trainings"
    )
    recorded_by = models.ForeignKey(User, verbose_name=_("登记人"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering: ClassVar = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class TrainingRecord(models.Model):
    """One person's record at a session: attended, and passed the "一懂三会" check."""

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="records"
    )
    person = models.ForeignKey(
        User, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="training_records"
    )
    passed = models.BooleanField(_("一懂三会考核通过"), default=False)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["session", "person"], name="training_person_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.person_id}"


class Notice(models.Model):
    """A publicity notice (宣传, e.g. "小炬说事") published to a node: everyone whose node lies
    in its subtree sees it; reading it leaves a receipt."""

    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("发布范围"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"), max_length=4000)
    published_by = models.ForeignKey(User, verbose_name=_("发布人"), on_delete=models.PROTECT)
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("宣传通知")
        verbose_name_plural = _("宣传通知")
        ordering: ClassVar = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NoticeRead(models.Model):
    notice = models.ForeignKey(
        Notice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="reads"
    )
    person = models.ForeignKey(User, verbose_name=_("人员"), on_delete=models.CASCADE)
    read_at = models.DateTimeField(_("阅读时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["notice", "person"], name="notice_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.person_id}"


class InspectionSignature(models.Model):
    """One unit's signature on a joint inspection (综合查一次: police, fire, market and housing
    in one visit, one record signed by each). The recorder signs when submitting."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查记录"), on_delete=models.CASCADE, related_name="signatures"
    )
    person = models.ForeignKey(User, verbose_name=_("签名人"), on_delete=models.PROTECT)
    unit_name = models.CharField(_("所属单位"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("签名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联合检查签名")
        verbose_name_plural = _("联合检查签名")
        ordering: ClassVar = ["inspection", "signed_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["inspection", "person"], name="sign_once")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.person_id}"
