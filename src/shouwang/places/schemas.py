"""API shapes of the places app."""

from ninja import Schema
from pydantic import ConfigDict

from shouwang.core.schema_related import related


class RoomOut(Schema):
    number: str
    floor: int | None


class ContactOut(Schema):
    role: str
    name: str
    person: str | None
    unit: str | None
    fallback: bool


class PremisesOut(Schema):
    # Built from a Premises, and re-built by name into PremisesDetail.
    model_config = ConfigDict(populate_by_name=True)

    code: str
    name: str
    kind: str
    address: str
    lat: float | None
    lng: float | None
    node_code: str
    resolve_node_code = related("node.code")
    node_name: str
    resolve_node_name = related("node.name")
    stars: int | None = None


class PremisesDetail(PremisesOut):
    rooms: list[RoomOut]
    contacts: list[ContactOut]
    missing_contacts: list[str]


class ContactIn(Schema):
    role: str
    person: str = ""
    unit: str = ""
    order: int = 1
