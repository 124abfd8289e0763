"""Patrol teams (core Units of kind PATROL_TEAM), their members and weekly rosters, shifts
signed on and off from the phone, lookout posts and patrol points with QR codes, check-ins and
the positions a phone sends while on shift."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import JurisdictionNode, Unit, User


class TeamMember(models.Model):
    team = models.ForeignKey(
        Unit, verbose_name=_("巡防队"), on_delete=models.CASCADE, related_name="patrol_members"
    )
    person = models.ForeignKey(
        User, verbose_name=_("队员"), on_delete=models.CASCADE, related_name="patrol_teams"
    )
    is_leader = models.BooleanField(_("队长"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("巡防队员")
        verbose_name_plural = _("巡防队员")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["team", "person"], name="team_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.person}"


class RosterSlot(models.Model):
    """A weekly repeating duty: this member, this weekday, these hours (Asia/Shanghai)."""

    team = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="roster_slots")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roster_slots")
    weekday = models.PositiveSmallIntegerField(
        _("星期"), choices=[(i, str(i + 1)) for i in range(7)]
    )
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        ordering: ClassVar = ["team", "weekday", "starts"]

    def __str__(self) -> str:
        return f"{self.team} · {self.person} · {self.weekday + 1}"


class Shift(models.Model):
    """One stint on patrol, from sign-on to sign-off. Hours: see services/patrols.py."""

    team = models.ForeignKey(
        Unit, verbose_name=_("巡防队"), on_delete=models.PROTECT, related_name="patrol_shifts"
    )
    person = models.ForeignKey(
        User, verbose_name=_("队员"), on_delete=models.PROTECT, related_name="patrol_shifts"
    )
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("上岗时间"), db_index=True)
    ended_at = models.DateTimeField(_("下岗时间"), null=True, blank=True)
    patrol_seconds = models.PositiveIntegerField(_("巡防时长（秒）"), default=0)

    class Meta:
        verbose_name = _("巡防班次")
        verbose_name_plural = _("巡防班次")
        ordering: ClassVar = ["-started_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(ended_at__isnull=True),
                name="shift_one_open_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.started_at:%Y-%m-%d %H:%M}"


class TrackPoint(models.Model):
    """A position sent while on shift. `seq` is the phone's own counter, so a batch sent again
    after a lost answer adds nothing twice."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="track")
    seq = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()
    lat = models.FloatField()
    lng = models.FloatField()

    class Meta:
        verbose_name = _("巡防轨迹点")
        verbose_name_plural = _("巡防轨迹点")
        ordering: ClassVar = ["shift", "recorded_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["shift", "seq"], name="track_point_once")
        ]

    def __str__(self) -> str:
        return f"{self.shift_id}#{self.seq}"


class PostKind(models.TextChoices):
    LOOKOUT = "lookout", _("瞭望哨")
    POINT = "point", _("巡防点")


class PatrolPost(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=PostKind.choices)
    node = models.ForeignKey(
        JurisdictionNode, verbose_name=_("所在辖区"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Unit,
        verbose_name=_("巡防队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patrol_posts",
    )
    lat = models.FloatField(_("纬度 (WGS-84)"))
    lng = models.FloatField(_("经度 (WGS-84)"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("瞭望哨/巡防点")
        verbose_name_plural = _("瞭望哨/巡防点")
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return self.name


class Checkin(models.Model):
    post = models.ForeignKey(
        PatrolPost, verbose_name=_("点位"), on_delete=models.PROTECT, related_name="checkins"
    )
    person = models.ForeignKey(
        User, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="patrol_checkins"
    )
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    lat = models.FloatField()
    lng = models.FloatField()
    distance_m = models.PositiveIntegerField(_("距点位（米）"))
    at = models.DateTimeField(_("打卡时间"), db_index=True)

    class Meta:
        verbose_name = _("巡防打卡")
        verbose_name_plural = _("巡防打卡")
        ordering: ClassVar = ["-at"]
        indexes: ClassVar = [models.Index(fields=["person", "post", "at"])]

    def __str__(self) -> str:
        return f"{self.post} {self.at:%Y-%m-%d %H:%M}"


class PatrolFinding(models.Model):
    """Something a patrol found and reported into the loop (channel patrol), with photos."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("事件"),
        on_delete=models.PROTECT,
        related_name="patrol_finding",
    )
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="patrol_findings")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("巡防发现")
        verbose_name_plural = _("巡防发现")

    def __str__(self) -> str:
        return f"{self.case_id}"


class FindingPhoto(models.Model):
    finding = models.ForeignKey(PatrolFinding, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="community/findings/%Y/%m/")
    dhash = models.CharField(max_length=16)

    def __str__(self) -> str:
        return self.dhash
