"""API shapes of the core app."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from shouwang.core.models import JurisdictionNode
from shouwang.core.schema_related import related
from shouwang.core.selectors import node_lineage


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)
    otp: str = Field(
        default="",
        max_length=32,
        description="管理员必填：认证器的 6 位动态码或一个备用码 · "
        "Required for administrators: the 6-digit TOTP code or a recovery code",
    )


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105  (the scheme name, not a secret)
    expires_at: datetime
    username: str
    role: str


class NodeBrief(Schema):
    code: str
    name: str
    level: str
    kind: str


class NodeOut(NodeBrief):
    parent_code: str | None = None
    resolve_parent_code = related("parent.code")
    centre_lng: float | None
    centre_lat: float | None


class NodeDetail(NodeOut):
    boundary: dict[str, Any] | None
    lineage: list[NodeBrief] = []

    @staticmethod
    def resolve_lineage(obj: JurisdictionNode) -> list[JurisdictionNode]:
        """The ancestors, root first (the node itself left out)."""
        return [n for n in node_lineage(node=obj) if n.pk != obj.pk]


class LocateOut(Schema):
    lng: float
    lat: float
    grid: NodeBrief
    village: NodeBrief | None
    town: NodeBrief | None
    city: NodeBrief | None


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    node_code: str
    resolve_node_code = related("node.code")
    parent_code: str | None = None
    resolve_parent_code = related("parent.code")
    lng: float | None
    lat: float | None
    is_active: bool


class PersonOut(Schema):
    username: str
    full_name: str
    role: str
    node_code: str | None = None
    resolve_node_code = related("node.code")
    node_name: str | None = None
    resolve_node_name = related("node.name")
    unit_code: str | None = None
    resolve_unit_code = related("unit.code")
    phone_masked: str
    id_number_masked: str
    is_active: bool


class DirectoryPersonOut(Schema):
    """A person in the directory; the phone only masked (reveal is its own audited call)."""

    username: str
    full_name: str
    role: str
    role_label: str
    node_code: str | None
    node_name: str | None
    unit_code: str | None
    unit_name: str | None
    phone_masked: str
    on_duty: bool | None
    position_at: datetime | None
    distance_m: float | None


class CallOut(Schema):
    tel: str


class PeopleListIn(Schema):
    """The directory's filters; `lat`/`lng` (both or neither) order by distance from a point."""

    role: str | None = Field(None, max_length=32)
    node: str | None = Field(None, max_length=15)
    q: str | None = Field(None, max_length=100)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)


class PeopleSearchIn(Schema):
    """A search by phone or ID number goes in a body: never a full number in a URL (logs)."""

    phone: str | None = Field(None, max_length=20)
    id_number: str | None = Field(None, max_length=18)
    role: str | None = Field(None, max_length=32)
    node: str | None = Field(None, max_length=15)
    q: str | None = Field(None, max_length=100)


class PersonRevealIn(Schema):
    field: Literal["phone", "id_number"]


class PersonRevealOut(Schema):
    field: Literal["phone", "id_number"]
    value: str


class AuditOut(Schema):
    id: int
    at: datetime
    actor_username: str
    action: str
    result: str
    target_type: str
    target_id: str
    target_repr: str
    ip: str | None
    detail: dict[str, Any]
