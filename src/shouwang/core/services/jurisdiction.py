"""Writes to the jurisdiction tree and units."""

from typing import Any

from django.db import transaction

from shouwang.core.models import JurisdictionNode, NodeKind, NodeLevel, Unit, UnitKind
from shouwang.core.versions import version_bump

BOUNDARY_VERSION_KEY = "geo:boundary-version"


def boundaries_changed() -> None:
    """Tells every process's point-in-grid index to rebuild: this one's on its next use, the
    others' within a second (core.geo.locate)."""
    # Imported here: the index module reads this module's version key.
    from shouwang.core.geo.locate import forget_index

    version_bump(BOUNDARY_VERSION_KEY)
    forget_index()


def node_path_for(*, code: str, parent: JurisdictionNode | None) -> str:
    return f"{parent.path if parent else '/'}{code}/"


@transaction.atomic
def node_create(
    *,
    code: str,
    name: str,
    level: NodeLevel,
    kind: NodeKind,
    parent: JurisdictionNode | None,
    boundary: dict[str, Any] | None = None,
    centre: tuple[float, float] | None = None,
) -> JurisdictionNode:
    node = JurisdictionNode(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        path=node_path_for(code=code, parent=parent),
        boundary=boundary,
        centre_lng=centre[0] if centre else None,
        centre_lat=centre[1] if centre else None,
    )
    node.full_clean()
    node.save()
    if boundary is not None:
        transaction.on_commit(boundaries_changed)
    return node


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: UnitKind,
    node: JurisdictionNode,
    parent: Unit | None = None,
    location: tuple[float, float] | None = None,
) -> Unit:
    unit = Unit(
        code=code,
        name=name,
        kind=kind,
        node=node,
        parent=parent,
        lng=location[0] if location else None,
        lat=location[1] if location else None,
    )
    unit.full_clean()
    unit.save()
    return unit
