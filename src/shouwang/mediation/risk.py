"""The 民转刑 risk rule: how likely a dispute is to turn violent, with its reasons in plain
Chinese. A documented placeholder behind ONE function, `risk_score`; the insight module's model
will replace it without its callers changing.

The rule adds weights and caps the sum at 1:
- repeat calls about the same place (same address, or within `PLACE_RADIUS_M`) in 7 days:
  the 2nd call +0.25, the 3rd or later +0.5 ("7天内同一地址第3次报警") — seed 003's 警情AI
  智能管家 flags exactly these;
- cues in the text: drinking +0.15, threats +0.2, a weapon +0.3, domestic violence +0.2,
  hitting or killing +0.2, a rising tone +0.1 (each cue counts once);
- a call at night (22:00-06:00 Beijing time) +0.1;
- an open agreement at the same place not yet performed +0.15.
The default threshold (0.5) makes a third call at one address alone an alert.

Since issue #17 the rule is the floor: `risk_score` returns the higher of the rule's sum and
the insight model's escalation risk (`shouwang.insight.live.case_risk`, measured in
docs/insight.md), with the reasons of both."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.timezone import get_default_timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouwang.cases import feeders
from shouwang.insight.live import case_risk

BEIJING = get_default_timezone()  # settings.TIME_ZONE
REPEAT_WINDOW = timedelta(days=7)
PLACE_RADIUS_M = 50.0

# Categories whose calls are disputes for this rule, beyond the `disputes` family: a noise
# complaint between neighbours is the classic start (seed 003).
WATCHED_CATEGORIES = ("noise", "disturbance")
DISPUTE_FAMILY = "disputes"
# A later incident of these at a flagged place is what the alert was meant to prevent.
VIOLENT_CATEGORIES = ("fight", "domestic_violence")


@dataclass(frozen=True)
class Cue:
    words: tuple[str, ...]
    weight: float
    reason: str  # a gettext message id, translated when the reasons are built


CUES = (
    Cue(("喝酒", "醉酒", "酒后", "醉", "酒"), 0.15, gettext_noop("提及饮酒")),
    Cue(("威胁", "扬言", "报复"), 0.2, gettext_noop("提及威胁")),
    Cue(("持刀", "菜刀", "刀", "棍", "斧"), 0.3, gettext_noop("提及持刀或器械")),
    Cue(("家暴", "家庭暴力"), 0.2, gettext_noop("有家暴情形")),
    Cue(("打人", "殴打", "打架", "动手", "杀"), 0.2, gettext_noop("提及打人或伤害")),
    Cue(("越吵越凶", "激烈", "升级", "情绪激动"), 0.1, gettext_noop("冲突升级")),
)


def is_watched(case: feeders.Case) -> bool:
    """Whether `case` is a dispute for the rule: kind DISPUTE, the disputes family, or a
    watched category such as noise."""
    return (
        case.kind == feeders.CaseKind.DISPUTE
        or case.category.code in WATCHED_CATEGORIES
        or feeders.case_category_family(case) == DISPUTE_FAMILY
    )


def is_dispute(case: feeders.Case) -> bool:
    """Whether a mediation file may be opened for `case` (kind DISPUTE or the disputes family)."""
    return (
        case.kind == feeders.CaseKind.DISPUTE
        or feeders.case_category_family(case) == DISPUTE_FAMILY
    )


def is_night(at: datetime) -> bool:
    hour = at.astimezone(BEIJING).hour
    return hour >= 22 or hour < 6


def repeat_calls(case: feeders.Case) -> list[feeders.NearbyCase]:
    """Calls about the same place in the 7 days up to and including `case`."""
    calls = feeders.cases_near(
        lat=case.lat,
        lng=case.lng,
        address=case.address,
        since=case.received_at - REPEAT_WINDOW,
        radius_m=PLACE_RADIUS_M,
    )
    return [c for c in calls if c.received_at <= case.received_at]


def risk_score(
    *, case: feeders.Case, open_agreement_nearby: bool = False
) -> tuple[float, list[str]]:
    """The score in [0, 1] and its reasons, in the active language (Chinese first)."""
    score, reasons = 0.0, []
    count = len(repeat_calls(case))
    if count >= 2:
        score += 0.5 if count >= 3 else 0.25
        reasons.append(_("7天内同一地址第%(n)d次报警") % {"n": count})
    text = case.description
    for cue in CUES:
        if any(word in text for word in cue.words):
            score += cue.weight
            reasons.append(_(cue.reason))
    if is_night(case.received_at):
        score += 0.1
        reasons.append(_("夜间报警"))
    if open_agreement_nearby:
        score += 0.15
        reasons.append(_("有未履行完毕的调解协议"))
    # The insight model (docs/insight.md) sees what the rule misses; the rule's documented
    # floors stay (a third call at one address still alerts): the higher score wins.
    learned, why = case_risk(case=case)
    reasons += [reason for reason in why if reason not in reasons]
    return min(round(max(score, learned), 2), 1.0), reasons
