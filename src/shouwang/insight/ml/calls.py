"""The record every model reads: one call as the batch input and the live product both have
it — no database row, no person's clear phone number (`caller` is the keyed hash)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Call:
    id: str
    received_at: datetime  # aware
    caller: str  # keyed hash of the caller's phone, "" when unknown
    lat: float | None
    lng: float | None
    address: str
    category: str  # our code, "" when unknown
    text: str
