"""Escalation risk of a dispute (民转刑): a score in [0, 1] from the call and the calls
received before it — the matter's earlier calls, earlier calls at the place — with reasons.
A logistic regression over interpretable features: its reasons are the features that added
most to the score."""

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from django.utils.timezone import get_default_timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouwang.insight.ml.matter import Prepared, distance_m
from shouwang.insight.ml.taxonomy import WATCHED

SHANGHAI = get_default_timezone()  # settings.TIME_ZONE
PLACE_M = 100.0
# Cue groups (word stems, not the generator's phrases): each is one feature and one reason.
LEXICON: dict[str, tuple[tuple[str, ...], str]] = {
    "drink": (("酒", "醉"), gettext_noop("提及饮酒")),
    "threat": (("威胁", "扬言", "报复", "找人", "弄死", "放话"), gettext_noop("提及威胁")),
    "weapon": (("刀", "棍", "斧", "砖", "器械"), gettext_noop("提及持刀或器械")),
    "violence": (
        ("动手", "推搡", "扭打", "殴", "打了", "打人", "家暴"),
        gettext_noop("提及肢体冲突"),
    ),
    "tone": (("激动", "越吵越", "骂", "升级", "激烈"), gettext_noop("冲突升级")),
}
FEATURES = (
    *(f"cue_{k}" for k in LEXICON),
    *(f"earlier_cue_{k}" for k in LEXICON),
    "matter_calls",
    "place_calls_7d",
    "place_calls_30d",
    "night",
    "hours_since_last",
    "noise",
    "neighbour",
    "rental",
    "cues_now",
    "cues_per_call",
)
REASONS = {
    "matter_calls": gettext_noop("同一事项此前已报%(n)d次"),
    "place_calls_7d": gettext_noop("7天内同一地点第%(n)d次报警"),
    "night": gettext_noop("夜间报警"),
    "hours_since_last": gettext_noop("报警间隔缩短"),
}


def cues(text: str) -> dict[str, bool]:
    return {name: any(w in text for w in words) for name, (words, _r) in LEXICON.items()}


@dataclass(frozen=True)
class RiskInput:
    call: Prepared
    matter_before: list[Prepared]  # earlier calls of the same matter
    place_before: list[Prepared]  # earlier calls within PLACE_M, any matter, last 30 days


def risk_features(item: RiskInput) -> list[float]:
    call = item.call
    now = cues(call.call.text)
    earlier = {k: False for k in LEXICON}
    total = sum(now.values())
    for p in item.matter_before:
        for k, v in cues(p.call.text).items():
            earlier[k] = earlier[k] or v
            total += v
    week = [p for p in item.place_before if call.ts - p.ts <= 7 * 86400]
    hour = call.call.received_at.astimezone(SHANGHAI).hour
    last = max((p.ts for p in item.matter_before), default=None)
    since_last = (call.ts - last) / 3600 if last is not None else 24 * 30
    return [
        *(float(now[k]) for k in LEXICON),
        *(float(earlier[k]) for k in LEXICON),
        math.log1p(len(item.matter_before)),
        math.log1p(len(week)),
        math.log1p(len(item.place_before)),
        float(hour >= 22 or hour < 6),
        -math.log1p(since_last) / 5,
        float(call.call.category == "noise"),
        float(call.call.category == "neighbour_dispute"),
        float(call.call.category == "rental_dispute"),
        float(sum(now.values())),
        total / (1 + len(item.matter_before)),
    ]


def place_history(history: list[Prepared], call: Prepared) -> list[Prepared]:
    since = call.ts - timedelta(days=30).total_seconds()
    return [
        p
        for p in history
        if since <= p.ts < call.ts
        and (
            ((d := distance_m(p.call, call.call)) is not None and d <= PLACE_M)
            or (call.address.key() and p.address.key() == call.address.key())
        )
    ]


class RiskModel:
    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def score(self, item: RiskInput) -> tuple[float, list[str]]:
        """(score, reasons) for a watched call; (0.0, []) for any other."""
        if item.call.call.category not in WATCHED:
            return 0.0, []
        row = risk_features(item)
        score = float(self.estimator.predict_proba(np.asarray([row]))[0, 1])
        return round(score, 3), self.reasons(item, row)

    def reasons(self, item: RiskInput, row: list[float]) -> list[str]:
        coef = self.estimator.coef_[0]
        contributions = sorted(
            ((coef[i] * row[i], name) for i, name in enumerate(FEATURES)), reverse=True
        )
        out: list[str] = []
        for value, name in contributions:
            if value <= 0.3 or len(out) >= 4:
                break
            cue = name.removeprefix("earlier_").removeprefix("cue_")
            if cue in LEXICON:
                text = _(LEXICON[cue][1])
                if name.startswith("earlier_"):
                    text = _("此前来电%(what)s") % {"what": text}
            elif name == "matter_calls":
                text = _(REASONS[name]) % {"n": len(item.matter_before)}
            elif name == "place_calls_7d":
                week = [p for p in item.place_before if item.call.ts - p.ts <= 7 * 86400]
                text = _(REASONS[name]) % {"n": len(week) + 1}
            elif name in REASONS:
                text = _(REASONS[name])
            else:
                continue
            if text not in out:
                out.append(text)
        return out
