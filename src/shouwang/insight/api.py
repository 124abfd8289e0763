"""Thin API handlers: parse, call a selector or service, return."""

from django.http import HttpRequest
from ninja import Router, Schema

from shouwang.core.api import acting_user
from shouwang.insight import live
from shouwang.insight.selectors import suggest_access_check

router = Router(tags=["insight"])


class SuggestionOut(Schema):
    code: str
    label: str
    confidence: float
    confident: bool


class SuggestOut(Schema):
    code: str | None
    label: str | None
    confidence: float
    confident: bool
    alternatives: list[SuggestionOut]


@router.get("/insight/suggest-category", response=SuggestOut)
def suggest_category(request: HttpRequest, text: str = "") -> SuggestOut:
    """The likeliest category for a call's text while the dispatcher types, with its
    confidence; `confident` is false below the threshold (the dispatcher chooses)."""
    suggest_access_check(acting_user(request))
    found = live.category_suggest(text=text)
    alternatives = [SuggestionOut(**s.__dict__) for s in found]
    if not found:
        return SuggestOut(code=None, label=None, confidence=0.0, confident=False, alternatives=[])
    best = found[0]
    return SuggestOut(
        code=best.code,
        label=best.label,
        confidence=best.confidence,
        confident=best.confident,
        alternatives=alternatives,
    )
