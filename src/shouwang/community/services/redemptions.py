"""Spending points: a request takes the points out of the wallet at once (so a wallet cannot
be spent twice while it waits); the town approves and hands the goods over, or rejects and the
points come back by a refund entry."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouwang.community.models import (
    AccountKind,
    CatalogueItem,
    EntryKind,
    Redemption,
    RedemptionState,
)
from shouwang.community.permissions import is_points_staff
from shouwang.community.services.ledger import entry_post, town_account, wallet_of
from shouwang.core.errors import IllegalTransition, InvalidInput, NotFound, PermissionDeniedError
from shouwang.core.models import User

MAX_QUANTITY = 100


@transaction.atomic
def redemption_request(*, actor: User, item_code: str, quantity: int) -> Redemption:
    """Raises NotFound for an item not in the person's town, InvalidInput (422) for a bad
    quantity or a wallet that is short."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(_("数量应在 1 到 %(max)d 之间。") % {"max": MAX_QUANTITY})
    wallet = wallet_of(person=actor)
    item = CatalogueItem.objects.filter(code=item_code, town=wallet.town, is_active=True).first()
    if item is None:
        raise NotFound(_("本镇街没有这个兑换商品。"))
    redemption = Redemption.objects.create(
        person=actor, item=item, quantity=quantity, points=item.points * quantity
    )
    entry_post(
        kind=EntryKind.REDEMPTION,
        debit=wallet,
        credit=town_account(town=wallet.town, kind=AccountKind.REDEEMED),
        amount=redemption.points,
        memo=f"{item.name} × {quantity}",
        actor=actor,
        redemption_id=redemption.pk,
    )
    return redemption


def _locked_for_staff(actor: User, redemption_id: int) -> Redemption:
    redemption = (
        Redemption.objects.select_for_update()
        .select_related("item__town")
        .filter(pk=redemption_id)
        .first()
    )
    if not is_points_staff(actor):
        raise PermissionDeniedError()
    if redemption is None or not is_points_staff(actor, redemption.item.town):
        raise NotFound()
    return redemption


def _move(redemption: Redemption, allowed: set[str], target: RedemptionState) -> None:
    if redemption.state not in allowed:
        raise IllegalTransition()
    redemption.state = target


@transaction.atomic
def redemption_approve(*, actor: User, redemption_id: int) -> Redemption:
    redemption = _locked_for_staff(actor, redemption_id)
    _move(redemption, {RedemptionState.REQUESTED}, RedemptionState.APPROVED)
    redemption.decided_by, redemption.decided_at = actor, timezone.now()
    redemption.save(update_fields=["state", "decided_by", "decided_at"])
    return redemption


@transaction.atomic
def redemption_fulfil(*, actor: User, redemption_id: int) -> Redemption:
    redemption = _locked_for_staff(actor, redemption_id)
    _move(redemption, {RedemptionState.APPROVED}, RedemptionState.FULFILLED)
    redemption.fulfilled_at = timezone.now()
    redemption.save(update_fields=["state", "fulfilled_at"])
    return redemption


@transaction.atomic
def redemption_reject(*, actor: User, redemption_id: int) -> Redemption:
    redemption = _locked_for_staff(actor, redemption_id)
    _move(
        redemption, {RedemptionState.REQUESTED, RedemptionState.APPROVED}, RedemptionState.REJECTED
    )
    redemption.decided_by, redemption.decided_at = actor, timezone.now()
    redemption.save(update_fields=["state", "decided_by", "decided_at"])
    wallet = wallet_of(person=redemption.person)
    entry_post(
        kind=EntryKind.REFUND,
        debit=town_account(town=wallet.town, kind=AccountKind.REDEEMED),
        credit=wallet,
        amount=redemption.points,
        memo=_("兑换驳回，积分退回"),
        actor=actor,
        redemption_id=redemption.pk,
    )
    return redemption
