"""The points ledger (平安积分), kept like money: double entry between accounts, entries never
edited (a reversal is a new entry), balances derived from the entries.

Accounts per town: BUDGET (the appropriation the town's pool is funded from; the one account
whose balance is negative, by the amount funded), POOL (the budget pool awards come out of),
REDEEMED (where spent points go). Per person: WALLET. Wallets and pools never go negative: the
services lock the account row (`select_for_update`) and check the derived balance first.

Identities the tests hold: the entries' amounts sum to zero over all accounts; issued −
redeemed = outstanding (the sum of the town's wallets)."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import JurisdictionNode, User


class AccountKind(models.TextChoices):
    BUDGET = "budget", _("积分预算来源")
    POOL = "pool", _("镇街积分池")
    WALLET = "wallet", _("个人积分账户")
    REDEEMED = "redeemed", _("已兑换")


class PointAccount(models.Model):
    kind = models.CharField(_("类型"), max_length=10, choices=AccountKind.choices)
    town = models.ForeignKey(
        JurisdictionNode, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        User,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="point_accounts",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["kind", "town"],
                condition=models.Q(person__isnull=True),
                name="point_account_one_per_town_kind",
            ),
            # A person has one wallet, in the town they earn in first.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(kind="wallet"),
                name="point_account_one_wallet_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="wallet", person__isnull=False)
                | (~models.Q(kind="wallet") & models.Q(person__isnull=True)),
                name="point_account_wallet_has_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person or self.town}"


class EntryKind(models.TextChoices):
    FUNDING = "funding", _("预算拨入")
    AWARD = "award", _("积分奖励")
    REDEMPTION = "redemption", _("兑换扣减")
    REFUND = "refund", _("兑换退回")
    REVERSAL = "reversal", _("冲正")


class PointEntry(models.Model):
    """One movement of `amount` points from `debit` to `credit`. Never updated or deleted."""

    kind = models.CharField(_("类型"), max_length=12, choices=EntryKind.choices)
    debit = models.ForeignKey(
        PointAccount, verbose_name=_("转出账户"), on_delete=models.PROTECT, related_name="debits"
    )
    credit = models.ForeignKey(
        PointAccount, verbose_name=_("转入账户"), on_delete=models.PROTECT, related_name="credits"
    )
    amount = models.PositiveIntegerField(_("积分"))
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    award = models.ForeignKey(
        "community.PointAward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redemption = models.ForeignKey(
        "community.Redemption",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的分录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("积分分录")
        verbose_name_plural = _("积分分录")
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="point_entry_positive"),
            models.CheckConstraint(
                condition=~models.Q(debit=models.F("credit")), name="point_entry_two_accounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class RuleCode(models.TextChoices):
    REPORT_VERIFIED = "report_verified", _("上报经核实有效")
    HAZARD_CONFIRMED = "hazard_confirmed", _("发现隐患经确认")
    PATROL_HOUR = "patrol_hour", _("巡防每小时")
    CHECKIN = "checkin", _("巡防打卡")


class EarningRule(models.Model):
    """Points for one kind of contribution. A row for a town overrides the city-wide row (node
    empty); without any row the default in SHOUWANG_POINTS_RULES applies."""

    code = models.CharField(_("规则"), max_length=20, choices=RuleCode.choices)
    town = models.ForeignKey(
        JurisdictionNode,
        verbose_name=_("镇街"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全市通用。"),
    )
    points = models.PositiveIntegerField(_("积分"))
    daily_cap = models.PositiveIntegerField(
        _("每人每日上限"), help_text=_("一人一天从本规则最多获得的积分。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["code", "town"], name="earning_rule_one_per_town"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(town__isnull=True),
                name="earning_rule_one_citywide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.points}"


class AwardState(models.TextChoices):
    CREDITED = "credited", _("已入账")
    HELD = "held", _("待复核")
    REFUSED = "refused", _("不予奖励")


class PointAward(models.Model):
    """The decision about one source of points ("case:42", "shift:7", "checkin:9"). The unique
    `source_key` is what makes an award happen exactly once, however often the source is
    verified again and on however many workers."""

    source_key = models.CharField(_("来源"), max_length=64, unique=True)
    rule = models.CharField(_("规则"), max_length=20, choices=RuleCode.choices)
    person = models.ForeignKey(
        User, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="point_awards"
    )
    town = models.ForeignKey(
        JurisdictionNode, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.PositiveIntegerField(_("积分"))
    state = models.CharField(_("状态"), max_length=10, choices=AwardState.choices)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("积分奖励")
        verbose_name_plural = _("积分奖励")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["person", "rule", "created_at"])]

    def __str__(self) -> str:
        return self.source_key


class PhotoFingerprint(models.Model):
    """The perceptual hash (64-bit dHash, hex) of a photo that earned or asked for points; a
    later photo within a few bits of one is the same picture again."""

    dhash = models.CharField(max_length=16, db_index=True)
    town = models.ForeignKey(JurisdictionNode, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片指纹")
        verbose_name_plural = _("照片指纹")

    def __str__(self) -> str:
        return self.dhash


class CatalogueItem(models.Model):
    """Goods or cash a town's volunteers may exchange points for."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    town = models.ForeignKey(
        JurisdictionNode, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    points = models.PositiveIntegerField(_("所需积分"))
    is_cash = models.BooleanField(_("现金"), default=False)
    is_active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("兑换商品")
        verbose_name_plural = _("兑换商品")
        ordering: ClassVar = ["town", "points", "code"]

    def __str__(self) -> str:
        return self.name


class RedemptionState(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    FULFILLED = "fulfilled", _("已发放")
    REJECTED = "rejected", _("已驳回")


class Redemption(models.Model):
    """A request to exchange points. The points leave the wallet when it is requested (so a
    wallet cannot be spent twice while waiting); a rejection refunds them by a new entry."""

    person = models.ForeignKey(
        User, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="redemptions"
    )
    item = models.ForeignKey(
        CatalogueItem, verbose_name=_("商品"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"))
    points = models.PositiveIntegerField(_("积分"))
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=RedemptionState.choices,
        default=RedemptionState.REQUESTED,
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("发放时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("积分兑换")
        verbose_name_plural = _("积分兑换")
        ordering: ClassVar = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class WorkerMark(models.Model):
    """How far a background loop has read (e.g. the report-award loop's last closed case)."""

    name = models.CharField(max_length=64, unique=True)
    value = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name
