"""Likely duplicates of a new case (same matter reported twice). Text alone cannot tell two
incidents apart (ARCHITECTURE.md, "Known traps": a templated text matched ~700 different
incidents), so candidates are first BLOCKED by the things that can: same category, within the
time window, and either near in space or from the same caller. Only those few are then scored,
with the text's character-bigram overlap as one signal among four. Nothing is merged here: the
dispatcher sees the list and decides."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from shouwang.cases.models import Case, Category
from shouwang.cases.selectors.cases import visible_cases
from shouwang.cases.states import CaseState
from shouwang.core.geo.coords import distance_m
from shouwang.core.models import User
from shouwang.core.selectors import node_by_id, node_in_scope

METRES_PER_DEGREE_LAT = 111_320.0
CANDIDATES_READ = 200  # blocked by category, place and time: a handful in practice
CANDIDATES_SCORED = 50


def duplicate_radius_m() -> float:
    return float(getattr(settings, "SHOUWANG_DUPLICATE_RADIUS_M", 300))


def duplicate_window() -> timedelta:
    return timedelta(minutes=float(getattr(settings, "SHOUWANG_DUPLICATE_WINDOW_MINUTES", 120)))


@dataclass(frozen=True)
class DuplicateCandidate:
    case: Case
    distance_m: float | None
    minutes_apart: float
    same_caller: bool
    text_similarity: float
    score: float


def bounding_box(lat: float, lng: float, radius_m: float) -> dict[str, float]:
    d_lat = radius_m / METRES_PER_DEGREE_LAT
    d_lng = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    return {
        "lat__gte": lat - d_lat,
        "lat__lte": lat + d_lat,
        "lng__gte": lng - d_lng,
        "lng__lte": lng + d_lng,
    }


def bigrams(text: str) -> set[str]:
    chars = "".join(ch for ch in text.lower() if ch.isalnum())
    return {chars[i : i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def text_similarity(a: str, b: str) -> float:
    """Jaccard overlap of character bigrams: suits Chinese, which has no spaces to split on."""
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def case_duplicates(
    *,
    user: User | None,
    category: Category,
    at: datetime,
    description: str,
    lat: float | None = None,
    lng: float | None = None,
    caller_hash: str = "",
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[DuplicateCandidate]:
    """Candidates the user may see, best first. Anonymous reporters get none (they must not
    learn about other people's reports)."""
    if user is None or not user.is_authenticated:
        return []
    radius, window = duplicate_radius_m(), duplicate_window()
    near = Q(**bounding_box(lat, lng, radius)) if lat is not None and lng is not None else None
    caller = Q(caller_phone_hash=caller_hash) if caller_hash else None
    block = near | caller if near and caller else near or caller
    if block is None:
        return []
    # Blocked candidates first, in a plain query: most calls find none. Those in the user's
    # jurisdiction are visible by the first rule of visible_cases_q; the visibility rule (with
    # its subquery) is asked only about the others, if any.
    # One filter() and ids only: most calls find nothing, and compiling the case's forty-odd
    # columns (and building each row) cost more than asking. The rows are read when there are.
    ids = list(
        Case.objects.filter(
            block,
            ~Q(state__in=(CaseState.MERGED, CaseState.CANCELLED)),
            ~Q(pk=exclude_id) if exclude_id is not None else Q(),
            category=category,
            received_at__gte=at - window,
            received_at__lte=at,
        )
        .order_by("-received_at")
        .values_list("pk", flat=True)[:CANDIDATES_READ]
    )
    if not ids:
        return []
    rows = list(Case.objects.filter(pk__in=ids).order_by("-received_at", "-id"))
    # Nodes from process memory: a join here compiled and built a second model per candidate.
    outside = [c.pk for c in rows if not node_in_scope(user, node_by_id(pk=c.node_id))]
    if outside:
        visible = set(visible_cases(user).filter(pk__in=outside).values_list("pk", flat=True))
        rows = [c for c in rows if c.pk in visible or c.pk not in outside]
    rows = rows[:CANDIDATES_SCORED]
    found = [_score(c, at, description, lat, lng, caller_hash, radius, window) for c in rows]
    kept = [c for c in found if c is not None]
    return sorted(kept, key=lambda c: -c.score)[:limit]


def case_duplicates_of(*, user: User | None, case: Case) -> list[DuplicateCandidate]:
    """`case_duplicates` for a case already received: its own fields, itself left out."""
    return case_duplicates(
        user=user,
        category=case.category,
        at=case.received_at,
        description=case.description,
        lat=case.lat,
        lng=case.lng,
        caller_hash=case.caller_phone_hash,
        exclude_id=case.pk,
    )


def _score(
    case: Case,
    at: datetime,
    description: str,
    lat: float | None,
    lng: float | None,
    caller_hash: str,
    radius: float,
    window: timedelta,
) -> DuplicateCandidate | None:
    distance = None
    if lat is not None and lng is not None and case.lat is not None and case.lng is not None:
        distance = distance_m(lng, lat, case.lng, case.lat)
    same_caller = bool(caller_hash) and case.caller_phone_hash == caller_hash
    near = distance is not None and distance <= radius
    if not (near or same_caller):
        return None  # inside the bounding box's corners but outside the circle
    minutes = max((at - case.received_at).total_seconds() / 60, 0.0)
    similarity = text_similarity(description, case.description)
    proximity = 1 - distance / radius if near and distance is not None else 0.0
    recency = max(1 - minutes / (window.total_seconds() / 60), 0.0)
    score = 0.35 * proximity + 0.15 * recency + 0.25 * same_caller + 0.25 * similarity
    return DuplicateCandidate(case, distance, minutes, same_caller, similarity, round(score, 3))
