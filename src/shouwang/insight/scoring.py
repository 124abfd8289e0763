"""Batch scoring, the contract of `shouwang insight score-calls`: calls in (one dict each, as
read from JSON lines), one result per call out — `{"id", "matter", "risk", "reasons"}` — with
the models the live product uses. Calls are taken in the order they were received (input
order breaks ties); a call's matter and risk see only the calls received before it."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shouwang.core.errors import InvalidInput
from shouwang.core.services.pii import keyring, pii_lookup_hash
from shouwang.insight.ml.artifacts import Models, models, risk_input
from shouwang.insight.ml.calls import Call
from shouwang.insight.ml.matter import MatterIndex
from shouwang.insight.ml.taxonomy import resolve_category


def phone_key(phone: str) -> str:
    """The keyed hash the case table holds for a caller's phone (a landline or a malformed
    number gets the same keyed hash of its digits)."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if not digits:
        return ""
    try:
        return pii_lookup_hash(field="caller_phone", value=digits)
    except InvalidInput:
        return keyring().blind_index(digits, purpose="caller_phone")


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def parse_call(record: dict[str, Any], *, trained: Models) -> Call:
    received = str(record["received_at"]).replace("Z", "+00:00")
    at = datetime.fromisoformat(received)
    if at.tzinfo is None:
        raise ValueError(f"received_at without an offset: {record['received_at']!r}")
    text = str(record.get("text") or "")
    code = resolve_category(str(record.get("category") or ""))
    if not code and text:
        code = trained.category.suggest(text, top=1)[0].code
    return Call(
        id=str(record["id"]),
        received_at=at,
        caller=phone_key(str(record.get("caller_phone") or "")),
        lat=_float(record.get("lat")),
        lng=_float(record.get("lng")),
        address=str(record.get("address") or ""),
        category=code,
        text=text,
    )


def score_calls(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    trained = models()
    calls = [parse_call(r, trained=trained) for r in records]
    order = sorted(range(len(calls)), key=lambda i: (calls[i].received_at, i))
    index = MatterIndex(trained.pair)
    results: list[dict[str, Any]] = [{} for _ in calls]
    for i in order:
        new, found = index.add(calls[i])
        score, risk_reasons = trained.risk.score(risk_input(index, new, found.matter))
        reasons = ([found.reason] if found.reason else []) + risk_reasons
        results[i] = {"id": calls[i].id, "matter": found.matter, "risk": score, "reasons": reasons}
    return results
