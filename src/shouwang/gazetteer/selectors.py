"""Offline geocoding: a caller's words to the gazetteer's places. Candidates come from an
inverted index of character bigrams (and of pinyin initials), kept in process memory and rebuilt
when the gazetteer's version in the shared cache moves, so a query touches only the entries that
share words with it, not the whole city. A candidate's score is the Dice coefficient of the two
keys' bigrams; a house number that differs from the one asked for costs a fixed amount, so the
next house on the same road ranks below the house itself but above another road."""

import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from shouwang.core.models import JurisdictionNode, NodeLevel
from shouwang.core.versions import version_get
from shouwang.gazetteer.models import Address
from shouwang.gazetteer.normalise import address_key, bigrams

GAZETTEER_VERSION_KEY = "gazetteer:version"
CHECK_SECONDS = 1.0
CANDIDATES = 200
NUMBER_MISMATCH = 0.15
_ASCII_LETTERS = re.compile(r"^[a-z]+$")
_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class Entry:
    text: str
    lat: float
    lng: float
    node_code: str | None
    key: str
    initials: str
    grams: frozenset[str]
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class GeocodeResult:
    address: str
    lat: float
    lng: float
    node_code: str | None
    score: float


@dataclass
class GazetteerIndex:
    version: int
    towns: tuple[str, ...]
    entries: list[Entry] = field(default_factory=list)
    by_gram: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_initials: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, entry: Entry) -> None:
        i = len(self.entries)
        self.entries.append(entry)
        for gram in entry.grams:
            self.by_gram[gram].append(i)
        if entry.initials:
            # Prefixes of two letters on, so "gjsm" finds 国际商贸城 as it is typed.
            for n in range(2, len(entry.initials) + 1):
                self.by_initials[entry.initials[:n]].append(i)


def town_names() -> tuple[str, ...]:
    names = JurisdictionNode.objects.filter(level=NodeLevel.TOWN).values_list("name", flat=True)
    return tuple(sorted(set(names), key=len, reverse=True))


def _build(version: int) -> GazetteerIndex:
    index = GazetteerIndex(version=version, towns=town_names())
    rows = Address.objects.values_list("text", "lat", "lng", "node__code", "key", "initials")
    for text, lat, lng, node_code, key, initials in rows.iterator(chunk_size=5000):
        index.add(
            Entry(
                text=text,
                lat=lat,
                lng=lng,
                node_code=node_code,
                key=key,
                initials=initials,
                grams=frozenset(bigrams(key)),
                numbers=tuple(_NUMBERS.findall(key)),
            )
        )
    return index


_lock = threading.Lock()
_index: GazetteerIndex | None = None
_checked_at = 0.0


def gazetteer_index() -> GazetteerIndex:
    global _index, _checked_at
    now = time.monotonic()
    current = _index
    if current is not None and now - _checked_at < CHECK_SECONDS:
        return current
    version = version_get(GAZETTEER_VERSION_KEY)
    with _lock:
        if _index is None or _index.version != version:
            _index = _build(version)
        _checked_at = now
        return _index


def gazetteer_forget() -> None:
    """Drops this process's index at once (the process that changed the gazetteer)."""
    global _index
    with _lock:
        _index = None


def geocode(*, q: str, limit: int = 5) -> list[GeocodeResult]:
    """The best places for `q`, best first, each with a score in [0, 1]."""
    index = gazetteer_index()
    key = address_key(q, towns=index.towns)
    if not key:
        return []
    if _ASCII_LETTERS.match(key):
        return _by_initials(index, key, limit)
    grams = bigrams(key)
    counts: Counter[int] = Counter()
    for gram in grams:
        counts.update(index.by_gram.get(gram, ()))
    numbers = tuple(_NUMBERS.findall(key))
    scored: list[tuple[float, int]] = []
    for i, shared in counts.most_common(CANDIDATES):
        entry = index.entries[i]
        score = 2 * shared / (len(grams) + len(entry.grams))
        if numbers and entry.numbers and numbers != entry.numbers:
            score -= NUMBER_MISMATCH
        scored.append((score, i))
    scored.sort(key=lambda pair: (-pair[0], index.entries[pair[1]].text))
    return [_result(index.entries[i], score) for score, i in scored[:limit] if score > 0]


def _by_initials(index: GazetteerIndex, key: str, limit: int) -> list[GeocodeResult]:
    hits = index.by_initials.get(key, [])
    scored = sorted(
        ((len(key) / len(index.entries[i].initials), i) for i in hits),
        key=lambda pair: (-pair[0], index.entries[pair[1]].text),
    )
    return [_result(index.entries[i], score) for score, i in scored[:limit]]


def _result(entry: Entry, score: float) -> GeocodeResult:
    return GeocodeResult(
        address=entry.text,
        lat=entry.lat,
        lng=entry.lng,
        node_code=entry.node_code,
        score=round(max(0.0, min(1.0, score)), 3),
    )
