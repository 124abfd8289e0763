"""What happens to a case: who is assigned, the append-only timeline, photos, callbacks and
escalations; and where responders are, for the dispatcher's suggestions."""

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models.case import Case
from shouwang.core.models import JurisdictionNode, Unit, User


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    SUPPORT = "support", _("协办")
    FIRST_RESPONDER = "first_responder", _("先行处置")


class AssignmentState(models.TextChoices):
    NOTIFIED = "notified", _("已通知")
    ACCEPTED = "accepted", _("已接单")
    ARRIVED = "arrived", _("已到场")
    RESOLVED = "resolved", _("已处置")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已撤回")


OPEN_ASSIGNMENT_STATES = (
    AssignmentState.NOTIFIED,
    AssignmentState.ACCEPTED,
    AssignmentState.ARRIVED,
)


class Assignment(models.Model):
    """A person or a unit asked to work a case in one dispatch round. A unit's assignment is
    taken by whichever member accepts it first; `person` then records who."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    person = models.ForeignKey(
        User,
        verbose_name=_("处置人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("处置单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("角色"), max_length=20, choices=AssignmentRole.choices)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=AssignmentState.choices,
        default=AssignmentState.NOTIFIED,
    )
    round = models.PositiveSmallIntegerField(_("处置轮次"), default=1)
    dispatched_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_at = models.DateTimeField(_("通知时间"))
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    arrival_lat = models.FloatField(_("到场纬度"), null=True, blank=True)
    arrival_lng = models.FloatField(_("到场经度"), null=True, blank=True)
    distance_m = models.FloatField(_("到场距离（米）"), null=True, blank=True)
    within_radius = models.BooleanField(_("在到场范围内"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    note = models.TextField(_("处置说明"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering: ClassVar = ["case", "round", "id"]
        indexes: ClassVar = [
            models.Index(fields=["case", "state"]),
            models.Index(fields=["person", "state"]),
            models.Index(fields=["unit", "state"]),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(unit__isnull=False),
                name="assignment_has_person_or_unit",
            )
        ]

    def __str__(self) -> str:
        who = self.person or self.unit
        return f"{self.case} → {who} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ASSIGNMENT_STATES


class TimelineKind(models.TextChoices):
    RECEIVED = "received", _("受理")
    DISPATCHED = "dispatched", _("派单")
    ROOM_OPENED = "room_opened", _("开通处置群")
    ACCEPTED = "accepted", _("接单")
    ARRIVED = "arrived", _("到场")
    FEEDBACK = "feedback", _("反馈")
    RESOLVED = "resolved", _("处置完毕")
    VERIFIED = "verified", _("核查通过")
    VERIFICATION_REJECTED = "verification_rejected", _("核查不通过")
    CLOSED = "closed", _("结案")
    CALLBACK = "callback", _("回访")
    REOPENED = "reopened", _("重新启用")
    RETURNED = "returned", _("退回")
    TRANSFERRED = "transferred", _("转办")
    DIVERTED = "diverted", _("非警务分流")
    MERGED = "merged", _("合并为重复事件")
    DUPLICATE_MERGED = "duplicate_merged", _("并入重复事件")
    ESCALATED = "escalated", _("上报")
    OVERDUE = "overdue", _("超时督办")
    CANCELLED = "cancelled", _("撤销")
    ATTACHMENT_ADDED = "attachment_added", _("上传照片")
    MESSAGE = "message", _("处置群消息")
    SOURCE_EVENT = "source_event", _("业务记录")
    SETTLED = "settled", _("办结")
    LOCATED = "located", _("更正位置")


class TimelineEvent(models.Model):
    """One step of a case: when, by whom, from which state to which, and what was said. Rows are
    only ever added: a database trigger refuses UPDATE (全流程可溯). `is_public` events make up
    the citizen's tracking page, which shows kind and time, never `data`."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("环节"), max_length=32, choices=TimelineKind.choices)
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    is_public = models.BooleanField(_("群众可见"), default=False)

    class Meta:
        verbose_name = _("处置记录")
        verbose_name_plural = _("处置记录")
        ordering: ClassVar = ["at", "id"]
        indexes: ClassVar = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.at:%Y-%m-%d %H:%M:%S}"


class Attachment(models.Model):
    """A checked photo: decoded by Pillow, re-encoded without its EXIF block (which may carry the
    photographer's position), stored under a generated name."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("文件"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering: ClassVar = ["case", "id"]

    def __str__(self) -> str:
        return str(self.file.name)


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("未能联系")


class Callback(models.Model):
    """A satisfaction callback (回访) on a closed case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="callbacks")
    result = models.CharField(_("回访结果"), max_length=16, choices=CallbackResult.choices)
    note = models.CharField(_("回访记录"), max_length=1000, blank=True)
    by = models.ForeignKey(
        User, verbose_name=_("回访人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("回访时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering: ClassVar = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.result}"


class Step(models.TextChoices):
    ACCEPT = "accept", _("接单")
    ARRIVE = "arrive", _("到场")
    FEEDBACK = "feedback", _("反馈")
    RESOLVE = "resolve", _("办结")


class Escalation(models.Model):
    """An overdue step reported up (超时督办): level 1 to the responsible unit's supervisors,
    level 2 to the level above. The unique constraint is what makes it happen exactly once per
    case, step, round and level, however many sweepers run."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="escalations")
    step = models.CharField(_("环节"), max_length=16, choices=Step.choices)
    round = models.PositiveSmallIntegerField(_("处置轮次"), default=1)
    level = models.PositiveSmallIntegerField(_("层级"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    deadline = models.DateTimeField(_("超过的时限"))
    target_node = models.ForeignKey(
        JurisdictionNode,
        verbose_name=_("督办辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("超时督办")
        verbose_name_plural = _("超时督办")
        ordering: ClassVar = ["case", "at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case", "step", "round", "level"], name="escalation_once_per_step_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.step} L{self.level}"


class ResponderStatus(models.Model):
    """A responder's last reported position and availability (from the phone page)."""

    person = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="responder_status"
    )
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    reported_at = models.DateTimeField(_("上报时间"), db_index=True)
    available = models.BooleanField(_("空闲"), default=True)
    on_duty = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("处置人员位置")
        verbose_name_plural = _("处置人员位置")
        indexes: ClassVar = [models.Index(fields=["lat", "lng"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.lat:.5f},{self.lng:.5f}"
