"""People's mediation files (人民调解案卷) and the follow-up of disputes that may turn violent
(民转刑). A file is the one-to-one detail of a dispute case (ARCHITECTURE.md, "One loop for
every kind of case"); it feeds the case's timeline through `cases.feeders` only.

The file follows DOMAIN.md's people's-mediation case file: application (dispute type, source,
parties, claims, amount), notice of rights, sessions with their records, the agreement (parties,
facts, responsibilities, obligations: amount, how, where, when), proof of performance and the
callback; finished within 30 days of acceptance, extendable once by 30."""

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import JurisdictionNode, Unit, User


class FileSource(models.TextChoices):
    APPLICATION = "application", _("当事人申请")
    INITIATIVE = "initiative", _("主动调解")
    REFERRAL = "referral", _("移送委托")


class FileState(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    MEDIATING = "mediating", _("调解中")
    AGREED = "agreed", _("已达成协议")
    PERFORMED = "performed", _("协议已履行")
    FAILED = "failed", _("调解不成")


OPEN_FILE_STATES = (FileState.ACCEPTED, FileState.MEDIATING)
SUCCESS_STATES = (FileState.AGREED, FileState.PERFORMED)


class Referral(models.TextChoices):
    NONE = "", _("无")
    LITIGATION = "litigation", _("引导诉讼")
    ARBITRATION = "arbitration", _("申请仲裁")
    ADMINISTRATIVE = "administrative", _("移交行政机关")


class MediationFile(models.Model):
    """One dispute case's mediation. `node` is the case's node and `town` its town, copied at
    acceptance so scoping and figures need no join to the case; `deadline` is 30 days after
    acceptance (60 once extended)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("事件"), on_delete=models.PROTECT, related_name="mediation"
    )
    studio = models.ForeignKey(
        Unit, verbose_name=_("调解工作室"), on_delete=models.PROTECT, related_name="mediation_files"
    )
    mediators = models.ManyToManyField(
        User, verbose_name=_("调解员"), blank=True, related_name="mediation_files"
    )
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("所在辖区"), on_delete=models.PROTECT, related_name="+"
    )
    town = models.ForeignKey(
        JurisdictionNode,
        verbose_name=_("镇街"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispute_type = models.CharField(_("纠纷类型"), max_length=64)
    source = models.CharField(
        _("来源"), max_length=16, choices=FileSource.choices, default=FileSource.APPLICATION
    )
    claims = models.TextField(_("当事人请求"), blank=True, max_length=4000)
    amount_in_dispute = models.DecimalField(
        _("涉及金额"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=FileState.choices, default=FileState.ACCEPTED
    )
    rights_notified_at = models.DateTimeField(_("权利义务告知时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), db_index=True)
    deadline = models.DateTimeField(_("调解期限"))
    extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    concluded_at = models.DateTimeField(_("调解终结时间"), null=True, blank=True)
    performed_at = models.DateTimeField(_("履行完毕时间"), null=True, blank=True)
    overdue_noted_at = models.DateTimeField(_("超期上报时间"), null=True, blank=True)
    referral = models.CharField(
        _("调解不成后的去向"), max_length=16, choices=Referral.choices, default="", blank=True
    )
    failure_reason = models.CharField(_("调解不成原因"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("调解案卷")
        verbose_name_plural = _("调解案卷")
        ordering: ClassVar = ["-accepted_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.studio.name} #{self.pk}"

    @property
    def extended(self) -> bool:
        return bool(self.extension_reason)


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")


class Party(models.Model):
    """A party to the dispute, a person or a company. Name, phone and ID number are personal
    data: encrypted, blind-indexed and masked (core/services/pii.py)."""

    pii_fields: ClassVar = ("name", "phone", "id_number")

    file = models.ForeignKey(
        MediationFile, verbose_name=_("案卷"), on_delete=models.CASCADE, related_name="parties"
    )
    role = models.CharField(_("当事人类别"), max_length=16, choices=PartyRole.choices)
    is_company = models.BooleanField(_("单位当事人"), default=False)
    name_cipher = models.TextField(blank=True, editable=False)
    name_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    name_masked = models.CharField(_("姓名/名称"), max_length=100, blank=True, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering: ClassVar = ["file", "role", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name_masked}"


class Session(models.Model):
    """One mediation session: when, where (or online), who came, what was said, what next."""

    file = models.ForeignKey(
        MediationFile, verbose_name=_("案卷"), on_delete=models.CASCADE, related_name="sessions"
    )
    at = models.DateTimeField(_("调解时间"), db_index=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online = models.BooleanField(_("线上调解"), default=False)
    attendees = models.CharField(_("参加人员"), max_length=300, blank=True)
    record = models.TextField(_("调解记录"), max_length=8000, blank=True)
    next_steps = models.CharField(_("下一步"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        User, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering: ClassVar = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.file} {self.at:%Y-%m-%d}"


class Agreement(models.Model):
    """The people's-mediation agreement (人民调解协议书), in its standard parts."""

    file = models.OneToOneField(
        MediationFile, verbose_name=_("案卷"), on_delete=models.CASCADE, related_name="agreement"
    )
    facts = models.TextField(_("纠纷主要事实"), max_length=4000, blank=True)
    responsibilities = models.TextField(_("争议事项与责任"), max_length=4000, blank=True)
    signed_at = models.DateTimeField(_("签订时间"))
    created_by = models.ForeignKey(
        User, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")

    def __str__(self) -> str:
        return f"{self.file}"


class Obligation(models.Model):
    """One obligation of the agreement: who pays how much, how, where and by when. `paid` is
    kept as the sum of its payments, under a row lock, so a payment above what is owed is
    refused without a race."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("协议"), on_delete=models.CASCADE, related_name="obligations"
    )
    debtor = models.ForeignKey(
        Party, verbose_name=_("义务人"), on_delete=models.PROTECT, related_name="obligations"
    )
    amount = models.DecimalField(
        _("金额"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    paid = models.DecimalField(_("已履行金额"), max_digits=14, decimal_places=2, default=0)
    how = models.CharField(_("履行方式"), max_length=200, blank=True)
    where = models.CharField(_("履行地点"), max_length=200, blank=True)
    due = models.DateField(_("履行期限"), db_index=True)
    performed_at = models.DateTimeField(_("履行完毕时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    missed_noted_at = models.DateTimeField(_("逾期记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("履行义务")
        verbose_name_plural = _("履行义务")
        ordering: ClassVar = ["due", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(paid__lte=models.F("amount")), name="obligation_not_overpaid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.debtor} ¥{self.amount}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


class Payment(models.Model):
    """A payment made under an obligation, with its proof (a receipt number, a transfer
    reference, a photo's reference)."""

    obligation = models.ForeignKey(
        Obligation, verbose_name=_("履行义务"), on_delete=models.CASCADE, related_name="payments"
    )
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    at = models.DateTimeField(_("履行时间"))
    proof = models.CharField(_("履行凭证"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        User, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("履行记录")
        verbose_name_plural = _("履行记录")
        ordering: ClassVar = ["at", "pk"]

    def __str__(self) -> str:
        return f"¥{self.amount}"


class Callback(models.Model):
    """The callback to a party after performance (回访)."""

    file = models.ForeignKey(
        MediationFile, verbose_name=_("案卷"), on_delete=models.CASCADE, related_name="callbacks"
    )
    party = models.ForeignKey(Party, verbose_name=_("当事人"), on_delete=models.CASCADE)
    at = models.DateTimeField(_("回访时间"))
    satisfied = models.BooleanField(_("满意"), default=True)
    note = models.CharField(_("回访情况"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        User, verbose_name=_("回访人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering: ClassVar = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.file} {self.party}"


# --- disputes that may turn violent (民转刑) ------------------------------------------------


class RiskScore(models.Model):
    """One score of one case for one trigger ("intake" for a dispute call, "incident" for a
    violent one): the sweep scores a case once per trigger, whatever runs it twice (unique)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事件"), on_delete=models.CASCADE, related_name="risk_scores"
    )
    trigger = models.CharField(_("触发"), max_length=32)
    score = models.FloatField(_("风险分"))
    reasons = models.JSONField(_("理由"), default=list)
    at = models.DateTimeField(_("评分时间"), auto_now_add=True)
    # Whether this score raised (or strengthened) an alert, and a violent incident at the same
    # place afterwards: the figures compare incidents among flagged and unflagged disputes.
    alerted = models.BooleanField(_("已预警"), default=False)
    later_incident = models.ForeignKey(
        "cases.Case",
        verbose_name=_("后续暴力事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("风险评分")
        verbose_name_plural = _("风险评分")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "trigger"], name="risk_score_once_per_trigger")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.score:.2f}"


class RiskThreshold(models.Model):
    """The alert threshold for one jurisdiction and its subtree (the deepest one wins)."""

    node = models.OneToOneField(
        JurisdictionNode, verbose_name=_("辖区"), on_delete=models.CASCADE, related_name="+"
    )
    threshold = models.FloatField(
        _("预警阈值"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )

    class Meta:
        verbose_name = _("风险预警阈值")
        verbose_name_plural = _("风险预警阈值")

    def __str__(self) -> str:
        return f"{self.node} {self.threshold}"


class FollowUpOutcome(models.TextChoices):
    MEDIATED = "mediated", _("已调解")
    REFERRED = "referred", _("已移交")
    WARNED = "warned", _("已警示训诫")
    NO_RISK = "no_risk", _("未发现风险")


class FollowUpMethod(models.TextChoices):
    VISIT = "visit", _("上门走访")
    CALL = "call", _("电话回访")


class AlertState(models.TextChoices):
    OPEN = "open", _("待跟进")
    FOLLOWED_UP = "followed_up", _("已跟进")


class RiskAlert(models.Model):
    """A dispute at risk of turning violent, pushed to the station and the town command room;
    must be followed up within 24 hours. One open alert per place: a further call at the same
    place raises its score and adds to its cases instead of opening another."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事件"), on_delete=models.PROTECT, related_name="risk_alerts"
    )
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("所在辖区"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lat = models.FloatField(_("纬度 (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("经度 (WGS-84)"), null=True, blank=True)
    score = models.FloatField(_("风险分"))
    reasons = models.JSONField(_("理由"), default=list)
    related_case_ids = models.JSONField(_("相关事件"), default=list)
    state = models.CharField(
        _("状态"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN
    )
    raised_at = models.DateTimeField(_("预警时间"), db_index=True)
    follow_up_deadline = models.DateTimeField(_("跟进时限"))
    followed_up_at = models.DateTimeField(_("跟进时间"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        User, verbose_name=_("跟进人"), null=True, blank=True, on_delete=models.PROTECT
    )
    method = models.CharField(
        _("跟进方式"), max_length=8, choices=FollowUpMethod.choices, blank=True
    )
    outcome = models.CharField(
        _("跟进结果"), max_length=16, choices=FollowUpOutcome.choices, blank=True
    )
    note = models.CharField(_("跟进情况"), max_length=1000, blank=True)
    escalated_at = models.DateTimeField(_("超时上报时间"), null=True, blank=True)
    later_incident = models.ForeignKey(
        "cases.Case",
        verbose_name=_("后续暴力事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("民转刑风险预警")
        verbose_name_plural = _("民转刑风险预警")
        ordering: ClassVar = ["-raised_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["state", "follow_up_deadline"])]

    def __str__(self) -> str:
        return f"{self.address or self.case_id} {self.score:.2f}"

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.state == AlertState.OPEN and self.follow_up_deadline < timezone.now()
