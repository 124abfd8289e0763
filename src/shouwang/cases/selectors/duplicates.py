"""Likely duplicates of a new case (same matter reported twice). Text alone cannot tell two
incidents apart (ARCHITECTURE.md, "Known traps": a templated text matched ~700 different
incidents), so candidates are first BLOCKED by the things that can: same category, within the
time window, and either near in space or from the same caller. Only those few are then scored,
with the text's character-bigram overlap as one signal among four. Nothing is merged here: the
dispatcher sees the list and decides."""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connections, router

from shouwang.cases.models import Case, Category
from shouwang.cases.rules.visibility import sees_whole_jurisdiction
from shouwang.cases.selectors.cases import visible_cases
from shouwang.cases.states import CaseState
from shouwang.core.geo.coords import distance_m
from shouwang.core.models import User
from shouwang.core.selectors import node_by_id, node_in_scope

METRES_PER_DEGREE_LAT = 111_320.0
CANDIDATES_READ = 200  # blocked by category, place and time: a handful in practice
CANDIDATES_SCORED = 50


@dataclass(frozen=True)
class CallFacts:
    """What a call says, for a same-matter scorer: `caller` is the keyed hash of the phone."""

    id: str
    received_at: datetime
    caller: str
    lat: float | None
    lng: float | None
    address: str
    category: str
    text: str


# The same-matter scorer an app above the loop provides (insight's model, registered in its
# ready(): cases must not import it). Without one, a weighted rule of place, time, caller and
# text scores the candidates. It answers (probability, reason in words).
SameMatterScorer = Callable[[CallFacts, CallFacts], tuple[float, str]]
_SCORERS: list[SameMatterScorer] = []


def same_matter_scorer_set(scorer: SameMatterScorer | None) -> None:
    """Sets (or, with None, removes) the scorer of likely duplicates."""
    _SCORERS[:] = [] if scorer is None else [scorer]


def duplicate_radius_m() -> float:
    return float(settings.SHOUWANG_DUPLICATE_RADIUS_M)


def duplicate_window() -> timedelta:
    return timedelta(minutes=float(settings.SHOUWANG_DUPLICATE_WINDOW_MINUTES))


@dataclass(frozen=True)
class DuplicateCandidate:
    case: Case
    distance_m: float | None
    minutes_apart: float
    same_caller: bool
    text_similarity: float
    score: float
    reason: str = ""


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
    address: str = "",
) -> list[DuplicateCandidate]:
    """Candidates the user may see, best first. Anonymous reporters get none (they must not
    learn about other people's reports)."""
    if user is None or not user.is_authenticated:
        return []
    radius, window = duplicate_radius_m(), duplicate_window()
    box = bounding_box(lat, lng, radius) if lat is not None and lng is not None else None
    if box is None and not caller_hash:
        return []
    # Blocked candidates first, ids only, in SQL written once per shape: most calls find none,
    # and compiling the case's forty-odd columns (and building each row) cost more than asking.
    # Those in the user's jurisdiction are visible by the first rule of visible_cases_q; the
    # visibility rule (with its subquery) is asked only about the others, if any.
    ids = _candidate_ids(
        category_id=category.pk,
        since=at - window,
        until=at,
        box=box,
        caller_hash=caller_hash,
        exclude_id=exclude_id,
    )
    if not ids:
        return []
    rows = list(Case.objects.filter(pk__in=ids).order_by("-received_at", "-id"))
    # Nodes from process memory: a join here compiled and built a second model per candidate.
    whole = sees_whole_jurisdiction(user)
    outside = [c.pk for c in rows if not (whole and node_in_scope(user, node_by_id(pk=c.node_id)))]
    if outside:
        visible = set(visible_cases(user).filter(pk__in=outside).values_list("pk", flat=True))
        rows = [c for c in rows if c.pk in visible or c.pk not in outside]
    rows = rows[:CANDIDATES_SCORED]
    found = [
        _score(c, category, at, description, address, lat, lng, caller_hash, radius) for c in rows
    ]
    kept = [c for c in found if c is not None]
    return sorted(kept, key=lambda c: -c.score)[:limit]


def _candidate_ids(
    *,
    category_id: int,
    since: datetime,
    until: datetime,
    box: dict[str, float] | None,
    caller_hash: str,
    exclude_id: int | None,
) -> list[int]:
    """Ids of the cases of the category received in [since, until], near (in the box) or from
    the same caller, neither merged nor cancelled, newest first."""
    alias = router.db_for_read(Case)
    connection = connections[alias]
    adapt = connection.ops.adapt_datetimefield_value
    common: list[int | float | str | None] = [category_id, adapt(since), adapt(until)]
    common += [CaseState.MERGED, CaseState.CANCELLED]
    if exclude_id is not None:
        common.append(exclude_id)
    params: list[int | float | str | None] = []
    if box is not None:
        params += [box["lat__gte"], box["lat__lte"], box["lng__gte"], box["lng__lte"], *common]
    if caller_hash:
        params += [caller_hash, *common]
    sql = _candidate_sql(alias, exclude_id is not None, box is not None, bool(caller_hash))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@lru_cache(maxsize=16)
def _candidate_sql(alias: str, excluding: bool, near: bool, caller: bool) -> str:
    quote = connections[alias].ops.quote_name

    def column(name: str) -> str:
        return quote(str(Case._meta.get_field(name).column))  # type: ignore[union-attr]

    where = [
        f"{column('category')} = %s",
        f"{column('received_at')} >= %s",
        f"{column('received_at')} <= %s",
        f"{column('state')} NOT IN (%s, %s)",
    ]
    if excluding:
        where.append(f"{column('id')} <> %s")
    # Blocked by PLACE first (the lat/lng index) or by person (the caller-hash index), each
    # branch on its own index, so the rows read do not grow with the city's volume of the
    # category (issue #17: ~4,700 index rows per intake when category and time led).
    branches = []
    if near:
        lat, lng = column("lat"), column("lng")
        branches.append(f"{lat} >= %s AND {lat} <= %s AND {lng} >= %s AND {lng} <= %s")
    if caller:
        branches.append(f"{column('caller_phone_hash')} = %s")
    table, common = quote(Case._meta.db_table), " AND ".join(where)
    selects = [
        f"SELECT {column('id')} AS id, {column('received_at')} AS at FROM {table} "  # noqa: S608
        f"WHERE {branch} AND {common}"
        for branch in branches
    ]
    return f"{' UNION '.join(selects)} ORDER BY at DESC LIMIT {CANDIDATES_READ}"


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
        address=case.address,
    )


def _score(
    case: Case,
    category: Category,
    at: datetime,
    description: str,
    address: str,
    lat: float | None,
    lng: float | None,
    caller_hash: str,
    radius: float,
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
    code = category.code  # every candidate is of the new call's category
    new = CallFacts("new", at, caller_hash, lat, lng, address, code, description)
    old = CallFacts(str(case.pk), case.received_at, case.caller_phone_hash, case.lat, case.lng,
                    case.address, code, case.description)  # fmt: skip
    if _SCORERS:
        score, reason = _SCORERS[0](old, new)
    else:
        proximity = 1 - distance / radius if near and distance is not None else 0.0
        recency = max(1 - minutes / (duplicate_window().total_seconds() / 60), 0.0)
        score = 0.35 * proximity + 0.15 * recency + 0.25 * same_caller + 0.25 * similarity
        reason = ""
    return DuplicateCandidate(
        case, distance, minutes, same_caller, similarity, round(score, 3), reason
    )
