"""The models in the live product: a case as the models' `Call`, the category suggestion for
the intake screen, the same-matter probability and reason for intake's duplicate list, and the
escalation risk behind `mediation.risk.risk_score`. Reads only through the feeder surface."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shouwang.cases import feeders
from shouwang.insight.ml.artifacts import models
from shouwang.insight.ml.calls import Call
from shouwang.insight.ml.matter import features, prepare, reason_for
from shouwang.insight.ml.risk import PLACE_M, RiskInput
from shouwang.insight.ml.taxonomy import BY_CODE, family_of

RISK_LOOKBACK = timedelta(days=30)
MATTER_WINDOW = timedelta(days=7)


def case_call(case: Any) -> Call:
    """A case (or anything with a case's fields) as the models read a call."""
    return Call(
        id=str(case.pk or "new"),
        received_at=case.received_at,
        caller=getattr(case, "caller_phone_hash", "") or "",
        lat=case.lat,
        lng=case.lng,
        address=case.address or "",
        category=case.category.code if getattr(case, "category_id", None) else "",
        text=case.description or "",
    )


@dataclass(frozen=True)
class CategorySuggestion:
    code: str
    label: str
    confidence: float
    confident: bool  # at or above the threshold; below it the dispatcher chooses


def category_suggest(*, text: str, top: int = 3) -> list[CategorySuggestion]:
    """The likeliest categories for a call's text, best first (empty for empty text)."""
    out = []
    for s in models().category.suggest(text[:2000], top=top):
        leaf = BY_CODE.get(s.code)
        out.append(
            CategorySuggestion(s.code, leaf.name if leaf else s.code, s.confidence, s.confident)
        )
    return out


def same_matter(*, earlier: Call, new: Call) -> tuple[float, str]:
    """The probability that `new` is about the same matter as `earlier`, and the reason in
    words ("同一来电人，2小时前报过同一地点")."""
    a, b = prepare(earlier), prepare(new)
    probability = models().pair.probabilities([features(a, b)])[0]
    return probability, reason_for(a, b)


def same_matter_of_facts(earlier: feeders.CallFacts, new: feeders.CallFacts) -> tuple[float, str]:
    """`same_matter` for the loop's duplicate check, which hands over plain call facts."""

    def call(facts: feeders.CallFacts) -> Call:
        return Call(facts.id, facts.received_at, facts.caller, facts.lat, facts.lng,
                    facts.address, facts.category, facts.text)  # fmt: skip

    return same_matter(earlier=call(earlier), new=call(new))


def case_risk(*, case: Any) -> tuple[float, list[str]]:
    """The model's escalation risk of `case` (0 for a category it does not watch) from the
    calls at its place in the 30 days before it; the earlier calls of the same category family
    in the last 7 days stand for the matter's earlier calls."""
    call = prepare(case_call(case))
    since = case.received_at - RISK_LOOKBACK
    nearby = feeders.cases_near(
        lat=case.lat, lng=case.lng, address=case.address or "", since=since, radius_m=PLACE_M
    )
    place_before = []
    for near in nearby:
        if near.id == case.pk or near.received_at >= case.received_at:
            continue
        place_before.append(
            prepare(
                Call(
                    str(near.id),
                    near.received_at,
                    "",
                    None,
                    None,
                    near.address,
                    near.category,
                    near.description,
                )
            )
        )
    family = family_of(call.call.category)
    matter_before = [
        p
        for p in place_before
        if call.ts - p.ts <= MATTER_WINDOW.total_seconds()
        and (family_of(p.call.category) == family or p.call.category == call.call.category)
    ]
    return models().risk.score(RiskInput(call, matter_before, place_before))
