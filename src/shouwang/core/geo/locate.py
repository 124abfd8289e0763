"""Which grid a point falls in, from a shapely STRtree over the grid boundaries. The index lives
in process memory and is rebuilt when the boundary version in the shared cache moves, so every
web process answers from the same boundaries without a database query per point. The version is
looked at once a second at most (a Redis round trip on every intake cost as much as the lookup
itself); the process that changes boundaries forgets its index at once, others within the
second, as with core.refcache."""

import math
import threading
import time
from dataclasses import dataclass

import shapely
from django.conf import settings
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from shouwang.core.models import JurisdictionNode, NodeLevel
from shouwang.core.services.jurisdiction import BOUNDARY_VERSION_KEY
from shouwang.core.versions import version_get


@dataclass(frozen=True)
class GridIndex:
    version: int
    tree: STRtree
    node_ids: list[int]
    # The root nodes' boundaries grown by SHOUWANG_SERVICE_AREA_MARGIN_M; None when no root
    # has a boundary (then no point is refused for being outside).
    area: BaseGeometry | None = None

    def locate(self, lng: float, lat: float) -> int | None:
        hits = self.tree.query(Point(lng, lat), predicate="intersects")
        # On a shared edge two grids touch the point; the lowest index is a stable choice.
        return self.node_ids[int(min(hits))] if len(hits) else None


_lock = threading.Lock()
_index: GridIndex | None = None
_checked_at = 0.0
CHECK_SECONDS = 1.0


def _build(version: int) -> GridIndex:
    rows = JurisdictionNode.objects.filter(level=NodeLevel.GRID, boundary__isnull=False)
    ids, geoms = [], []
    for node_id, boundary in rows.values_list("id", "boundary"):
        assert boundary is not None  # filtered above
        geom = shape(boundary)
        shapely.prepare(geom)
        ids.append(node_id)
        geoms.append(geom)
    return GridIndex(version=version, tree=STRtree(geoms), node_ids=ids, area=_service_area())


def _service_area() -> BaseGeometry | None:
    roots = JurisdictionNode.objects.filter(parent__isnull=True, boundary__isnull=False)
    geoms = [shape(b) for b in roots.values_list("boundary", flat=True) if b]
    if not geoms:
        return None
    area = shapely.union_all(geoms)
    # Degrees of latitude are ~111.32 km; a degree of longitude shrinks with cos(latitude):
    # the larger of the two keeps the margin at least as wide as asked in every direction.
    lat = area.centroid.y
    metres_per_degree = 111_320 * max(math.cos(math.radians(lat)), 0.1)
    area = area.buffer(settings.SHOUWANG_SERVICE_AREA_MARGIN_M / metres_per_degree)
    shapely.prepare(area)
    return area


def grid_index() -> GridIndex:
    global _index, _checked_at
    now = time.monotonic()
    current = _index
    if current is not None and now - _checked_at < CHECK_SECONDS:
        return current
    version = version_get(BOUNDARY_VERSION_KEY)
    with _lock:
        if _index is None or _index.version != version:
            _index = _build(version)
        _checked_at = now
        return _index


def forget_index() -> None:
    """Rebuild on the next lookup (this process changed the boundaries)."""
    global _index
    with _lock:
        _index = None


def locate_grid_id(*, lng: float, lat: float) -> int | None:
    return grid_index().locate(lng, lat)


def in_service_area(*, lng: float, lat: float) -> bool:
    """Whether the WGS-84 point lies in the area the platform serves: the city's boundary plus
    a margin. True when no boundary is known."""
    area = grid_index().area
    return area is None or bool(area.intersects(Point(lng, lat)))
