"""The points ledger: double entry, never negative, exactly once per source, caps, duplicate
photos, redemptions approved by the town, and figures that balance."""

import io

import pytest
from django.db.models import Sum
from PIL import Image, ImageDraw

from shouwang.community.models import (
    AccountKind,
    AwardState,
    EarningRule,
    PointEntry,
    Redemption,
    RuleCode,
)
from shouwang.community.selectors import points_summary, statement_of
from shouwang.community.services.awards import award_grant, award_release
from shouwang.community.services.ledger import entry_reverse, town_account, wallet_of
from shouwang.community.services.photos import dhash_of, hamming
from shouwang.community.services.redemptions import (
    redemption_approve,
    redemption_fulfil,
    redemption_reject,
    redemption_request,
)
from shouwang.community.tests.conftest import Forces
from shouwang.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def earn(forces: Forces, points: int, key: str = "t") -> None:
    EarningRule.objects.update_or_create(
        code=RuleCode.REPORT_VERIFIED, town=None, defaults={"points": points, "daily_cap": 10_000}
    )
    award_grant(source_key=key, rule=RuleCode.REPORT_VERIFIED, person=forces.volunteer)


def test_every_entry_moves_points_between_two_accounts_and_the_books_balance(
    forces: Forces,
) -> None:
    earn(forces, 20)
    redemption_request(actor=forces.volunteer, item_code="RICE-A", quantity=2)
    credits = PointEntry.objects.aggregate(s=Sum("amount"))["s"]
    per_account = {
        account.kind: sum(e.amount for e in account.credits.all())
        - sum(e.amount for e in account.debits.all())
        for account in (
            town_account(town=forces.loop.city.a.node, kind=kind)
            for kind in (AccountKind.BUDGET, AccountKind.POOL, AccountKind.REDEEMED)
        )
    }
    wallet = statement_of(user=forces.volunteer).balance
    assert credits == 1000 + 20 + 10
    assert per_account == {"budget": -1000, "pool": 980, "redeemed": 10}
    assert sum(per_account.values()) + wallet == 0


def test_the_same_source_is_awarded_once(forces: Forces) -> None:
    first = award_grant(source_key="case:1", rule=RuleCode.CHECKIN, person=forces.volunteer)
    again = award_grant(source_key="case:1", rule=RuleCode.CHECKIN, person=forces.volunteer)
    assert first.pk == again.pk
    assert statement_of(user=forces.volunteer).balance == 1


def test_a_daily_cap_stops_further_points_that_day(forces: Forces) -> None:
    EarningRule.objects.create(code=RuleCode.CHECKIN, points=4, daily_cap=10)
    awards = [
        award_grant(source_key=f"checkin:{n}", rule=RuleCode.CHECKIN, person=forces.volunteer)
        for n in range(4)
    ]
    assert [a.points for a in awards] == [4, 4, 2, 0]
    assert awards[-1].state == AwardState.REFUSED
    assert statement_of(user=forces.volunteer).balance == 10


def test_a_town_rule_overrides_the_citywide_one(forces: Forces) -> None:
    EarningRule.objects.create(code=RuleCode.CHECKIN, points=2, daily_cap=10)
    EarningRule.objects.create(
        code=RuleCode.CHECKIN, town=forces.loop.city.a.node, points=7, daily_cap=10
    )
    award = award_grant(source_key="c", rule=RuleCode.CHECKIN, person=forces.volunteer)
    assert award.points == 7


def photo(seed: int, size: int = 200) -> io.BytesIO:
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for n in range(6):
        x = (seed * 37 + n * 53) % size
        draw.rectangle([x, n * 30, x + 40, n * 30 + 25], fill=(seed * 40 + n * 20) % 200)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    out.seek(0)
    return out


def test_a_photo_resized_and_recompressed_has_nearly_the_same_dhash() -> None:
    original = dhash_of(photo(1))
    smaller = io.BytesIO()
    Image.open(photo(1)).resize((120, 120)).save(smaller, format="JPEG", quality=60)
    smaller.seek(0)
    assert hamming(original, dhash_of(smaller)) <= 6
    assert hamming(original, dhash_of(photo(4))) > 6


def test_a_photo_that_earned_before_earns_nothing_again(forces: Forces) -> None:
    first = award_grant(
        source_key="case:1",
        rule=RuleCode.HAZARD_CONFIRMED,
        person=forces.volunteer,
        photo_hashes=[dhash_of(photo(1))],
    )
    again = award_grant(
        source_key="case:2",
        rule=RuleCode.HAZARD_CONFIRMED,
        person=forces.neighbours[0],
        photo_hashes=[dhash_of(photo(1))],
    )
    assert first.state == AwardState.CREDITED
    assert again.state == AwardState.REFUSED and again.points == 0
    assert statement_of(user=forces.neighbours[0]).balance == 0


def test_an_award_the_pool_cannot_cover_is_held_then_released(forces: Forces) -> None:
    EarningRule.objects.create(code=RuleCode.HAZARD_CONFIRMED, points=900, daily_cap=5000)
    award_grant(source_key="a", rule=RuleCode.HAZARD_CONFIRMED, person=forces.volunteer)
    held = award_grant(source_key="b", rule=RuleCode.HAZARD_CONFIRMED, person=forces.volunteer)
    assert held.state == AwardState.HELD
    with pytest.raises(InvalidInput):
        award_release(award=held, actor=forces.person("leader"))
    from shouwang.community.services.ledger import budget_fund

    budget_fund(town=forces.loop.city.a.node, amount=1000, actor=forces.person("leader"))
    assert award_release(award=held, actor=forces.person("leader")).state == AwardState.CREDITED
    assert statement_of(user=forces.volunteer).balance == 1800


def test_a_reversal_is_a_new_entry_and_cannot_be_repeated(forces: Forces) -> None:
    earn(forces, 8)
    entry = PointEntry.objects.get(kind="award")
    reversal = entry_reverse(entry=entry, actor=forces.person("leader"), reason="误发")
    assert (reversal.debit_id, reversal.credit_id) == (entry.credit_id, entry.debit_id)
    assert statement_of(user=forces.volunteer).balance == 0
    with pytest.raises(Conflict):
        entry_reverse(entry=entry, actor=forces.person("leader"), reason="再冲")
    summary = points_summary(user=forces.person("leader"), node_code=forces.loop.city.a.node.code)
    assert (summary.issued, summary.outstanding) == (0, 0)


def test_a_redemption_larger_than_the_balance_is_refused_and_leaves_nothing(
    forces: Forces,
) -> None:
    earn(forces, 6)
    with pytest.raises(InvalidInput):
        redemption_request(actor=forces.volunteer, item_code="RICE-A", quantity=2)
    assert not Redemption.objects.exists()
    assert statement_of(user=forces.volunteer).balance == 6


def test_the_town_approves_and_fulfils_or_rejects_and_refunds(forces: Forces) -> None:
    earn(forces, 20)
    leader = forces.person("leader")
    kept = redemption_request(actor=forces.volunteer, item_code="RICE-A", quantity=1)
    redemption_approve(actor=leader, redemption_id=kept.pk)
    assert redemption_fulfil(actor=leader, redemption_id=kept.pk).state == "fulfilled"
    refused = redemption_request(actor=forces.volunteer, item_code="RICE-A", quantity=2)
    assert statement_of(user=forces.volunteer).balance == 5
    redemption_reject(actor=leader, redemption_id=refused.pk)
    assert statement_of(user=forces.volunteer).balance == 15
    with pytest.raises(PermissionDeniedError):
        redemption_approve(actor=forces.volunteer, redemption_id=kept.pk)
    with pytest.raises(NotFound):
        redemption_approve(actor=forces.person("leader", "b"), redemption_id=refused.pk)


def test_points_api_contract(forces: Forces) -> None:
    earn(forces, 12)
    volunteer = ApiClient(forces.volunteer.username)
    me = volunteer.get("/api/v1/points/me").json()
    assert me["balance"] == 12 and me["entries"][0]["amount"] == 12
    made = volunteer.post("/api/v1/points/redemptions", {"item": "RICE-A", "quantity": 2})
    assert made.status_code == 201 and made.json()["points"] == 10
    short = volunteer.post("/api/v1/points/redemptions", {"item": "RICE-A", "quantity": 1})
    assert short.status_code == 422 and short.json()["error"]["code"] == "invalid"
    node = forces.loop.city.a.node.code
    summary = ApiClient(forces.person("leader").username).get("/api/v1/points/summary", node=node)
    assert summary.json() == {"node": node, "issued": 12, "redeemed": 10, "outstanding": 2}
    assert volunteer.get("/api/v1/points/summary", node=node).status_code == 403
    other_town = ApiClient(forces.person("leader", "b").username)
    assert other_town.get("/api/v1/points/summary", node=node).status_code == 404
    board = ApiClient(forces.person("leader").username).get("/api/v1/points/leaderboard", node=node)
    assert board.json() == [{"person": forces.volunteer.display_name, "points": 12}]


def test_a_wallet_is_opened_in_the_persons_town(forces: Forces) -> None:
    wallet = wallet_of(person=forces.neighbours[0])
    assert wallet.town == forces.loop.city.a.node
