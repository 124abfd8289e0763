"""Rental housing (issue #20, seed 002): who manages a rental premises, the rooms' sizes, the
people who live there and their tenancies (人来登记、人走注销), one access card per person, the
door controllers that hold the card lists, and vacancy listings.

Premises and rooms are the places app's; this app adds what renting needs to them. Names, ID and
passport numbers and phones of tenants are personal data: stored encrypted with a keyed hash for
exact lookup and a masked copy for display (core/services/pii.py), never in clear."""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import User
from shouwang.places.models import Premises, Room


class ManagerRole(models.TextChoices):
    LANDLORD = "landlord", _("房东")
    MANAGER = "manager", _("管理人")


class PremisesManager(models.Model):
    """A landlord or manager of a rental premises; a person may manage many premises."""

    premises = models.ForeignKey(
        Premises, verbose_name=_("场所"), on_delete=models.CASCADE, related_name="managers"
    )
    user = models.ForeignKey(
        User, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="managed_premises"
    )
    role = models.CharField(
        _("身份"), max_length=12, choices=ManagerRole.choices, default=ManagerRole.LANDLORD
    )

    class Meta:
        verbose_name = _("房东/管理人")
        verbose_name_plural = _("房东/管理人")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["premises", "user"], name="housing_manager_once")
        ]

    def __str__(self) -> str:
        return f"{self.premises} {self.user}"


class RoomSpec(models.Model):
    """What renting needs to know of a room: its floor area and beds (occupancy rules)."""

    room = models.OneToOneField(
        Room,
        verbose_name=_("房间"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="spec",
    )
    area_m2 = models.DecimalField(_("面积 (m²)"), max_digits=7, decimal_places=2, default=0)
    beds = models.PositiveSmallIntegerField(_("床位"), default=1)

    class Meta:
        verbose_name = _("房间规格")
        verbose_name_plural = _("房间规格")

    def __str__(self) -> str:
        return f"{self.room_id}: {self.area_m2} m², {self.beds}"


class Person(models.Model):
    """A tenant's identity. A mainland resident is found by ID number, a foreigner by
    nationality and passport number, both through the keyed hash."""

    pii_fields: ClassVar = ("full_name", "id_number", "passport_number", "phone")

    full_name_cipher = models.TextField(blank=True, editable=False)
    full_name_hash = models.CharField(max_length=64, blank=True, editable=False)
    full_name_masked = models.CharField(_("姓名"), max_length=50, blank=True, editable=False)
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=20, blank=True, editable=False)
    passport_number_cipher = models.TextField(blank=True, editable=False)
    passport_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    passport_number_masked = models.CharField(
        _("护照号"), max_length=30, blank=True, editable=False
    )
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    nationality = models.CharField(_("国籍"), max_length=3, default="CHN")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("租客")
        verbose_name_plural = _("租客")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="housing_person_id_number_once",
            ),
            models.UniqueConstraint(
                fields=["nationality", "passport_number_hash"],
                condition=~Q(passport_number_hash=""),
                name="housing_person_passport_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name_masked} {self.id_number_masked or self.passport_number_masked}"


class Tenancy(models.Model):
    """A person living in a room from `moved_in` until `moved_out`. Registration is due within
    HOUSING_REGISTRATION_DAYS of arrival; cancellation within 3 working days of moving out."""

    room = models.ForeignKey(
        Room, verbose_name=_("房间"), on_delete=models.PROTECT, related_name="tenancies"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("租客"), on_delete=models.PROTECT, related_name="tenancies"
    )
    moved_in = models.DateField(_("入住日期"))
    expected_end = models.DateField(_("预计退租"), null=True, blank=True)
    moved_out = models.DateField(_("退租日期"), null=True, blank=True)
    registered_at = models.DateTimeField(_("登记时间"))
    registered_by = models.ForeignKey(
        User, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_late = models.BooleanField(_("逾期登记"), default=False)
    cancelled_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    cancelled_late = models.BooleanField(_("逾期注销"), default=False)
    over_occupancy = models.BooleanField(_("超员"), default=False)
    # Every tenancy over the limit in one room points at the room's one open hazard case.
    hazard_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("租住登记")
        verbose_name_plural = _("租住登记")
        ordering: ClassVar = ["-moved_in", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(moved_out__isnull=True),
                name="housing_one_active_tenancy_per_person",
            )
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["room"], condition=Q(moved_out__isnull=True), name="housing_room_current"
            ),
            models.Index(fields=["person", "moved_in"], name="housing_person_history"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.room_id}"

    @property
    def is_active(self) -> bool:
        return self.moved_out is None


class ArrivalNotice(models.Model):
    """An arrival known before it is registered (a landlord's note, a grid worker's visit, an
    unknown card at the door). Unregistered past its due date, it reminds the landlord, and a
    day later becomes a case for the grid worker."""

    room = models.ForeignKey(
        Room, verbose_name=_("房间"), on_delete=models.CASCADE, related_name="arrivals"
    )
    arrived_on = models.DateField(_("到达日期"))
    due_on = models.DateField(_("登记期限"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tenancy = models.ForeignKey(
        Tenancy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("到达待登记")
        verbose_name_plural = _("到达待登记")
        indexes: ClassVar = [
            models.Index(
                fields=["due_on"], condition=Q(tenancy__isnull=True), name="housing_arrival_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.room_id} {self.arrived_on}"


class DoorController(models.Model):
    """A premises' door controller. It holds the list of active cards; we push the list (a new
    `list_version` each change) and re-send it until the controller acknowledges that version."""

    premises = models.ForeignKey(
        Premises, verbose_name=_("场所"), on_delete=models.CASCADE, related_name="door_controllers"
    )
    serial = models.CharField(_("序列号"), max_length=64, unique=True)
    card_range_start = models.PositiveBigIntegerField(_("卡号起"), default=10000001)
    card_range_end = models.PositiveBigIntegerField(_("卡号止"), default=19999999)
    next_card = models.PositiveBigIntegerField(default=0, editable=False)
    list_version = models.PositiveIntegerField(_("名单版本"), default=0)
    acked_version = models.PositiveIntegerField(_("已确认版本"), default=0)
    push_attempts = models.PositiveIntegerField(default=0)
    next_push_at = models.DateTimeField(null=True, blank=True)
    last_pushed_at = models.DateTimeField(null=True, blank=True)
    acked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("门禁控制器")
        verbose_name_plural = _("门禁控制器")
        indexes: ClassVar = [models.Index(fields=["next_push_at"], name="housing_door_push_due")]

    def __str__(self) -> str:
        return self.serial


class AccessCard(models.Model):
    """One person, one active card (a partial unique constraint)."""

    number = models.CharField(_("卡号"), max_length=32)
    person = models.ForeignKey(
        Person, verbose_name=_("租客"), on_delete=models.PROTECT, related_name="cards"
    )
    tenancy = models.ForeignKey(
        Tenancy, verbose_name=_("租住登记"), on_delete=models.PROTECT, related_name="cards"
    )
    controller = models.ForeignKey(
        DoorController,
        verbose_name=_("门禁控制器"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cards",
    )
    issued_at = models.DateTimeField(_("发卡时间"))
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("注销原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("门禁卡")
        verbose_name_plural = _("门禁卡")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(revoked_at__isnull=True),
                name="housing_one_active_card_per_person",
            ),
            # Numbers come from each controller's range: unique among its active cards.
            models.UniqueConstraint(
                fields=["controller", "number"],
                condition=Q(revoked_at__isnull=True),
                name="housing_card_number_active_once",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["number"], name="housing_card_number")]

    def __str__(self) -> str:
        return self.number


class DoorEvent(models.Model):
    """A card presented at a controller, as the controller reports it."""

    controller = models.ForeignKey(DoorController, on_delete=models.CASCADE, related_name="events")
    card_number = models.CharField(_("卡号"), max_length=32)
    card = models.ForeignKey(
        AccessCard, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    at = models.DateTimeField(_("时间"))
    opened = models.BooleanField(_("已开门"), default=True)
    event_id = models.CharField(max_length=64)
    alarm_case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("门禁记录")
        verbose_name_plural = _("门禁记录")
        ordering: ClassVar = ["-at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["controller", "event_id"], name="housing_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.controller_id} {self.card_number} {self.at}"


class ListingState(models.TextChoices):
    OPEN = "open", _("招租中")
    CLOSED = "closed", _("已关闭")


class Listing(models.Model):
    """A vacant room offered to people looking for one; closes itself when a tenancy starts."""

    room = models.ForeignKey(
        Room, verbose_name=_("房间"), on_delete=models.CASCADE, related_name="listings"
    )
    rent = models.PositiveIntegerField(_("月租 (元)"))
    area_m2 = models.DecimalField(_("面积 (m²)"), max_digits=7, decimal_places=2)
    rules = models.CharField(_("租住须知"), max_length=500, blank=True)
    photos = models.JSONField(_("照片"), default=list, blank=True)
    available_from = models.DateField(_("可入住日期"))
    state = models.CharField(
        _("状态"), max_length=8, choices=ListingState.choices, default=ListingState.OPEN
    )
    published_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("空房招租")
        verbose_name_plural = _("空房招租")
        ordering: ClassVar = ["rent", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["room"], condition=Q(state="open"), name="housing_one_open_listing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.room_id} ¥{self.rent}"


class PopulationTally(models.Model):
    """How many people live in rented rooms now, per premises node and nationality: kept in
    the registering and ending transactions, so the town counts of a city of 1.3 million
    tenancies read a few hundred rows instead of counting the tenancies (bench/housing.py)."""

    node = models.ForeignKey(
        "core.JurisdictionNode", on_delete=models.CASCADE, related_name="+", verbose_name=_("辖区")
    )
    nationality = models.CharField(_("国籍"), max_length=3)
    people = models.IntegerField(_("人数"), default=0)

    class Meta:
        verbose_name = _("流动人口计数")
        verbose_name_plural = _("流动人口计数")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["node", "nationality"], name="housing_tally_once")
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.nationality} {self.people}"
