"""Awarding points by rule: exactly once per source, only for what has been verified, within
the person's daily cap; a photo seen before is refused and a burst of reports from one place is
held for review. The decision is a `PointAward` (unique `source_key`); a credited award is also
a ledger entry from the town's pool to the person's wallet, in the same transaction."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shouwang.community import config
from shouwang.community.models import (
    AccountKind,
    AwardState,
    EarningRule,
    EntryKind,
    PhotoFingerprint,
    PointAccount,
    PointAward,
    RuleCode,
)
from shouwang.community.services.ledger import (
    accounts_lock,
    balance_of,
    entry_post,
    town_account,
    wallet_of,
)
from shouwang.community.services.photos import hamming
from shouwang.core.errors import Conflict
from shouwang.core.geo.coords import distance_m
from shouwang.core.models import JurisdictionNode, User


@dataclass(frozen=True)
class Rule:
    code: str
    points: int
    daily_cap: int
    active: bool


def rule_for(*, code: RuleCode | str, town: JurisdictionNode) -> Rule:
    """The town's row, else the city-wide row, else the settings default."""
    rows = {r.town_id: r for r in EarningRule.objects.filter(code=code, town__in=[town])}
    row = rows.get(town.pk) or EarningRule.objects.filter(code=code, town__isnull=True).first()
    if row is not None:
        return Rule(str(code), row.points, row.daily_cap, row.is_active)
    points, cap = config.default_rule(str(code))
    return Rule(str(code), points, cap, True)


def award_grant(
    *,
    source_key: str,
    rule: RuleCode,
    person: User,
    units: int = 1,
    lat: float | None = None,
    lng: float | None = None,
    photo_hashes: list[str] | None = None,
    memo: str = "",
) -> PointAward:
    """Decides and records the award for one source, once: called again for the same source
    (a case verified again, a second worker) it returns the first decision unchanged."""
    existing = PointAward.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    wallet = wallet_of(person=person)
    pool = town_account(town=wallet.town, kind=AccountKind.POOL)
    with transaction.atomic():
        # The wallet's lock also queues this person's other awards, so the cap holds.
        accounts_lock(wallet, pool)
        found = rule_for(code=rule, town=wallet.town)
        points, state, reason = _decide(found, person, units, lat, lng, photo_hashes or [])
        if state == AwardState.CREDITED and balance_of(pool) < points:
            state, reason = AwardState.HELD, _("镇街积分池余额不足，待补充预算后发放。")
        try:
            with transaction.atomic():
                award = PointAward.objects.create(
                    source_key=source_key,
                    rule=rule,
                    person=person,
                    town=wallet.town,
                    points=points,
                    state=state,
                    reason=reason,
                    lat=lat,
                    lng=lng,
                )
        except IntegrityError:
            return PointAward.objects.get(source_key=source_key)
        for dhash in photo_hashes or []:
            PhotoFingerprint.objects.create(
                dhash=dhash, town=wallet.town, person=person, source_key=source_key
            )
        if state == AwardState.CREDITED:
            _credit(award, pool, wallet, memo)
    return award


def _credit(award: PointAward, pool: PointAccount, wallet: PointAccount, memo: str) -> None:
    entry_post(
        kind=EntryKind.AWARD,
        debit=pool,
        credit=wallet,
        amount=award.points,
        memo=memo or award.get_rule_display(),
        award_id=award.pk,
    )


def _decide(
    rule: Rule,
    person: User,
    units: int,
    lat: float | None,
    lng: float | None,
    photo_hashes: list[str],
) -> tuple[int, AwardState, str]:
    points = rule.points * units
    if not rule.active or points <= 0:
        return 0, AwardState.REFUSED, _("该积分规则未启用。")
    if any(_photo_seen(h) for h in photo_hashes):
        return 0, AwardState.REFUSED, _("照片与已有照片重复，不予奖励。")
    room = rule.daily_cap - _earned_today(person, rule.code)
    if room <= 0:
        return 0, AwardState.REFUSED, _("已达到当日积分上限。")
    points = min(points, room)
    if rule.code == RuleCode.REPORT_VERIFIED and _is_burst(person, lat, lng):
        return points, AwardState.HELD, _("同一地点短时间内多次上报，待人工复核。")
    return points, AwardState.CREDITED, ""


def _earned_today(person: User, code: str) -> int:
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    total = PointAward.objects.filter(
        person=person, rule=code, created_at__gte=midnight, state=AwardState.CREDITED
    ).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


def _photo_seen(dhash: str) -> bool:
    limit = config.photo_hamming_max()
    recent = timezone.now() - timedelta(days=180)
    hashes = PhotoFingerprint.objects.filter(created_at__gte=recent).values_list("dhash", flat=True)
    return any(hamming(dhash, other) <= limit for other in hashes.iterator())


def _is_burst(person: User, lat: float | None, lng: float | None) -> bool:
    if lat is None or lng is None:
        return False
    since = timezone.now() - timedelta(hours=config.burst_hours())
    nearby = [
        (a_lat, a_lng)
        for a_lat, a_lng in PointAward.objects.filter(
            person=person, rule=RuleCode.REPORT_VERIFIED, created_at__gte=since
        )
        .exclude(lat__isnull=True)
        .values_list("lat", "lng")
        if a_lat is not None
        and a_lng is not None
        and distance_m(lng, lat, a_lng, a_lat) <= config.burst_radius_m()
    ]
    return len(nearby) + 1 >= config.burst_count()


def award_release(*, award: PointAward, actor: User) -> PointAward:
    """A held award, reviewed and found sound, is credited (if the pool now holds enough)."""
    with transaction.atomic():
        locked = PointAward.objects.select_for_update().get(pk=award.pk)
        if locked.state != AwardState.HELD:
            raise Conflict(_("只有待复核的奖励可以发放。"))
        wallet = wallet_of(person=locked.person)
        pool = town_account(town=locked.town, kind=AccountKind.POOL)
        _credit(locked, pool, wallet, _("复核后发放"))
        locked.state, locked.decided_at = AwardState.CREDITED, timezone.now()
        locked.save(update_fields=["state", "decided_at"])
    return locked
