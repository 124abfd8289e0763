"""The double-entry ledger's writes. Every change is a `PointEntry` between two accounts;
entries are never edited (a mistake is undone by `entry_reverse`, a new entry the other way).
Before money leaves a wallet or a pool its row is locked (`select_for_update`) and its balance
derived from the entries, so concurrent spenders queue on the row and none can overdraw."""

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from shouwang.community.models import AccountKind, EntryKind, PointAccount, PointEntry
from shouwang.core.errors import Conflict, InvalidInput
from shouwang.core.models import JurisdictionNode, NodeLevel, User
from shouwang.core.selectors import node_lineage

# Accounts that may never be overdrawn; BUDGET is the contra account funding comes from.
GUARDED = frozenset({AccountKind.POOL, AccountKind.WALLET, AccountKind.REDEEMED})


def town_of(node: JurisdictionNode) -> JurisdictionNode:
    """The town (镇街) a node lies in; a city-level node is its own town for the ledger."""
    for ancestor in node_lineage(node=node):
        if ancestor.level == NodeLevel.TOWN:
            return ancestor
    return node


def town_account(*, town: JurisdictionNode, kind: AccountKind) -> PointAccount:
    account, _created = PointAccount.objects.get_or_create(kind=kind, town=town, person=None)
    return account


def wallet_of(*, person: User, town: JurisdictionNode | None = None) -> PointAccount:
    """The person's wallet, opened in their town the first time it is needed."""
    existing = PointAccount.objects.filter(kind=AccountKind.WALLET, person=person).first()
    if existing is not None:
        return existing
    home = town or (town_of(person.node) if person.node is not None else None)
    if home is None:
        raise InvalidInput(_("该人员没有所属辖区，无法开立积分账户。"))
    with transaction.atomic():
        account, _created = PointAccount.objects.get_or_create(
            kind=AccountKind.WALLET, person=person, defaults={"town": home}
        )
    return account


def balance_of(account: PointAccount) -> int:
    credited = PointEntry.objects.filter(credit=account).aggregate(s=Sum("amount"))["s"] or 0
    debited = PointEntry.objects.filter(debit=account).aggregate(s=Sum("amount"))["s"] or 0
    return int(credited) - int(debited)


def accounts_lock(*accounts: PointAccount) -> None:
    """Locks the rows in id order, so two transfers between the same accounts cannot deadlock."""
    ids = sorted({a.pk for a in accounts})
    list(PointAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def entry_post(
    *,
    kind: EntryKind,
    debit: PointAccount,
    credit: PointAccount,
    amount: int,
    memo: str = "",
    actor: User | None = None,
    award_id: int | None = None,
    redemption_id: int | None = None,
    reverses: PointEntry | None = None,
) -> PointEntry:
    """Moves `amount` points from `debit` to `credit` in the caller's transaction. Raises
    InvalidInput (422) when `debit` is a guarded account without enough points."""
    if amount <= 0:
        raise InvalidInput(_("积分数必须大于零。"))
    with transaction.atomic():
        accounts_lock(debit, credit)
        if debit.kind in GUARDED and balance_of(debit) < amount:
            raise InvalidInput(
                _("积分不足。"), extra={"balance": balance_of(debit), "needed": amount}
            )
        return PointEntry.objects.create(
            kind=kind,
            debit=debit,
            credit=credit,
            amount=amount,
            memo=memo[:200],
            actor=actor,
            award_id=award_id,
            redemption_id=redemption_id,
            reverses=reverses,
        )


def budget_fund(*, town: JurisdictionNode, amount: int, actor: User | None) -> PointEntry:
    """Puts `amount` points into the town's pool from its budget."""
    return entry_post(
        kind=EntryKind.FUNDING,
        debit=town_account(town=town, kind=AccountKind.BUDGET),
        credit=town_account(town=town, kind=AccountKind.POOL),
        amount=amount,
        memo=_("积分预算拨入"),
        actor=actor,
    )


@transaction.atomic
def entry_reverse(*, entry: PointEntry, actor: User, reason: str) -> PointEntry:
    """Undoes an entry by a new one the other way (once: a second reversal is a Conflict)."""
    locked = PointEntry.objects.select_for_update().get(pk=entry.pk)
    if PointEntry.objects.filter(reverses=locked).exists() or locked.kind == EntryKind.REVERSAL:
        raise Conflict(_("该分录已冲正或本身是冲正分录。"))
    return entry_post(
        kind=EntryKind.REVERSAL,
        debit=locked.credit,
        credit=locked.debit,
        amount=locked.amount,
        memo=reason,
        actor=actor,
        award_id=locked.award_id,
        redemption_id=locked.redemption_id,
        reverses=locked,
    )
