"""Same matter: are two calls about one matter, and which matter does a new call join?

Candidates are BLOCKED first — by person (the keyed phone hash), by place (a grid of cells on
lat/lng, and the normalised address key) and by time (7 days) — and only those few are scored,
by a gradient-boosted classifier over what the two calls share (features below). A new call
joins the matter of its best candidate when the probability reaches the threshold; the reason
is said in words ("同一来电人，2小时前报过同一地点")."""

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from shouwang.insight.ml.calls import Call
from shouwang.insight.ml.taxonomy import PUBLIC_EVENTS, family_of
from shouwang.insight.ml.text import (
    Address,
    bigrams,
    is_follow_up,
    jaccard,
    normalise,
    parse_address,
    text_flats,
)

WINDOW = timedelta(days=7)
RECENT = timedelta(hours=2)
NEAR_RECENT_M = 1000.0  # position errors of 30-300 m each way, within the first two hours
NEAR_M = 400.0
CELL_DEG = 0.005  # about 550 m north-south
MAX_CANDIDATES = 120
THRESHOLD = 0.5
METRES_PER_DEGREE = 111_320.0

FEATURES = (
    "same_caller",
    "other_caller",
    "distance_km",
    "within_100m",
    "within_350m",
    "log_hours",
    "within_2h",
    "same_category",
    "same_family",
    "public_event",
    "address_ratio",
    "same_address_key",
    "same_building",
    "building_conflict",
    "flat_conflict",
    "flat_match",
    "text_jaccard",
    "text_ratio",
    "follow_up",
    "no_position",
    # Interactions a linear model cannot make by itself:
    "other_caller_private",
    "other_caller_public_2h",
    "same_caller_follow_up",
    "same_caller_same_family",
    "near_same_category_2h",
    "text_jaccard_other_caller",
    "follow_up_same_place",
    "days_over_1_not_same_caller",
    "same_caller_other_family",
    "same_caller_other_category_near",
)


@dataclass(frozen=True)
class Prepared:
    call: Call
    address: Address
    grams: frozenset[str]
    clean: str
    flats: frozenset[str]
    family: str
    follow_up: bool
    ts: float


def prepare(call: Call) -> Prepared:
    address = parse_address(call.address)
    flats = text_flats(call.text) | ({address.flat} if address.flat else set())
    return Prepared(
        call=call,
        address=address,
        grams=bigrams(call.text),
        clean=normalise(call.text),
        flats=frozenset(flats),
        family=family_of(call.category),
        follow_up=is_follow_up(call.text),
        ts=call.received_at.timestamp(),
    )


def distance_m(a: Call, b: Call) -> float | None:
    if a.lat is None or a.lng is None or b.lat is None or b.lng is None:
        return None
    d_lat = (a.lat - b.lat) * METRES_PER_DEGREE
    d_lng = (a.lng - b.lng) * METRES_PER_DEGREE * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(d_lat, d_lng)


def features(a: Prepared, b: Prepared) -> list[float]:
    """What earlier call `a` and new call `b` share, in the order of FEATURES."""
    distance = distance_m(a.call, b.call)
    hours = abs(b.ts - a.ts) / 3600
    ka, kb = a.address.key(), b.address.key()
    ba, bb = a.address.building, b.address.building
    same_caller = float(bool(a.call.caller) and a.call.caller == b.call.caller)
    other_caller = float(bool(a.call.caller and b.call.caller) and a.call.caller != b.call.caller)
    public = float(b.call.category in PUBLIC_EVENTS)
    near = distance is not None and distance <= 350
    same_place = float(near or (bool(ka) and ka == kb))
    same_category = float(bool(a.call.category) and a.call.category == b.call.category)
    jac = jaccard(a.grams, b.grams)
    return [
        same_caller,
        other_caller,
        min(distance, 5000.0) / 1000 if distance is not None else 5.0,
        float(distance is not None and distance <= 100),
        float(near),
        math.log1p(hours),
        float(hours <= 2),
        same_category,
        float(bool(a.family) and a.family == b.family),
        public,
        fuzz.ratio(a.address.text, b.address.text) / 100,
        float(bool(ka) and ka == kb),
        float(bool(ba) and ba == bb),
        float(bool(ba and bb) and ba != bb),
        float(bool(a.flats and b.flats) and not (a.flats & b.flats)),
        float(bool(a.flats & b.flats)),
        jac,
        fuzz.token_set_ratio(a.clean, b.clean) / 100,
        float(b.follow_up),
        float(distance is None),
        other_caller * (1 - public),
        other_caller * public * float(hours <= 2),
        same_caller * float(b.follow_up),
        same_caller * float(bool(a.family) and a.family == b.family),
        same_place * same_category * float(hours <= 2),
        jac * other_caller,
        float(b.follow_up) * same_place,
        float(hours > 24) * (1 - same_caller),
        same_caller * float(a.family != b.family),
        same_caller * (1 - same_category) * float(near),
    ]


class PairModel:
    """A logistic regression over FEATURES (trained by `shouwang.insight.ml.artifacts`),
    applied as one dot product: scoring a hundred candidates costs well under a millisecond."""

    def __init__(
        self, coef: list[float] | None, intercept: float = 0.0, threshold: float = THRESHOLD
    ) -> None:
        self.coef = np.asarray(coef if coef is not None else [0.0] * len(FEATURES))
        self.intercept = intercept
        self.threshold = threshold

    def probabilities(self, rows: list[list[float]]) -> list[float]:
        if not rows:
            return []
        z = np.asarray(rows) @ self.coef + self.intercept
        return [float(p) for p in 1 / (1 + np.exp(-z))]


@dataclass(frozen=True)
class Match:
    matter: str
    probability: float  # of the best candidate, 0 when none
    earlier: Call | None  # the best candidate's call when it joined a matter
    reason: str


def reason_for(a: Prepared, b: Prepared) -> str:
    """In words why `b` was put with `a`: who, when, where."""
    who = _("同一来电人") if a.call.caller and a.call.caller == b.call.caller else _("另一来电人")
    minutes = max((b.ts - a.ts) / 60, 0)
    if minutes < 60:
        ago = _("%(n)d分钟前") % {"n": max(round(minutes), 1)}
    elif minutes < 48 * 60:
        ago = _("%(n)d小时前") % {"n": round(minutes / 60)}
    else:
        ago = _("%(n)d天前") % {"n": round(minutes / 1440)}
    distance = distance_m(a.call, b.call)
    if (a.address.key() and a.address.key() == b.address.key()) or (
        distance is not None and distance <= 100
    ):
        where = _("同一地点")
    elif distance is not None:
        where = _("约%(m)d米外") % {"m": round(distance, -1)}
    else:
        where = _("相近地址")
    return _("%(who)s，%(ago)s报过%(where)s") % {"who": who, "ago": ago, "where": where}


class MatterIndex:
    """Calls seen so far, indexed by caller, grid cell and address key; `add` calls in the order
    they were received."""

    def __init__(self, model: PairModel) -> None:
        self.model = model
        self.by_caller: dict[str, list[Prepared]] = defaultdict(list)
        self.by_cell: dict[tuple[int, int], list[Prepared]] = defaultdict(list)
        self.by_key: dict[str, list[Prepared]] = defaultdict(list)
        self.matter_of: dict[str, str] = {}
        self.history: dict[str, list[Prepared]] = defaultdict(list)  # matter → its calls

    @staticmethod
    def cell(call: Call) -> tuple[int, int] | None:
        if call.lat is None or call.lng is None:
            return None
        return (math.floor(call.lat / CELL_DEG), math.floor(call.lng / CELL_DEG))

    @staticmethod
    def _since(bucket: list[Prepared], ts: float) -> list[Prepared]:
        start = bisect.bisect_left(bucket, ts, key=lambda p: p.ts)
        return bucket[start:]

    def candidates(self, new: Prepared) -> list[Prepared]:
        since = new.ts - WINDOW.total_seconds()
        recent = new.ts - RECENT.total_seconds()
        found: dict[str, Prepared] = {}
        if new.call.caller:
            for p in self._since(self.by_caller.get(new.call.caller, []), since):
                found[p.call.id] = p
        key = new.address.key()
        if key:
            for p in self._since(self.by_key.get(key, []), since):
                found[p.call.id] = p
        cell = self.cell(new.call)
        if cell is not None:
            reach = 2
            for i in range(cell[0] - reach, cell[0] + reach + 1):
                for j in range(cell[1] - reach, cell[1] + reach + 1):
                    for p in self._since(self.by_cell.get((i, j), []), since):
                        if p.call.id in found:
                            continue
                        d = distance_m(p.call, new.call)
                        limit = NEAR_RECENT_M if p.ts >= recent else NEAR_M
                        if d is not None and d <= limit:
                            found[p.call.id] = p
        kept = [p for p in found.values() if p.ts <= new.ts and p.call.id != new.call.id]
        kept.sort(key=lambda p: -p.ts)
        return kept[:MAX_CANDIDATES]

    def match(self, new: Prepared) -> Match:
        """The matter `new` belongs to, without adding it."""
        candidates = self.candidates(new)
        probabilities = self.model.probabilities([features(c, new) for c in candidates])
        best, best_p = None, 0.0
        for candidate, p in zip(candidates, probabilities, strict=True):
            if p > best_p:
                best, best_p = candidate, p
        if best is not None and best_p >= self.model.threshold:
            return Match(self.matter_of[best.call.id], best_p, best.call, reason_for(best, new))
        return Match(f"M-{new.call.id}", best_p, None, "")

    def add(self, call: Call) -> tuple[Prepared, Match]:
        new = prepare(call)
        found = self.match(new)
        self.insert(new, found.matter)
        return new, found

    def insert(self, new: Prepared, matter: str) -> None:
        call = new.call
        self.matter_of[call.id] = matter
        self.history[matter].append(new)
        if call.caller:
            self.by_caller[call.caller].append(new)
        cell = self.cell(call)
        if cell is not None:
            self.by_cell[cell].append(new)
        if new.address.key():
            self.by_key[new.address.key()].append(new)
