"""On-duty responders with positions, so the console's suggestions and the people directory
show distances right after `make demo`: each police station's first responders (and the
responder and grid-worker demo logins) report a position near their station or grid."""

from random import Random

from django.db import transaction

from shouwang.cases.services.responders import responder_position_report
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, Unit, UnitKind, User

PER_STATION = 6
SPREAD_DEG = 0.008  # about 800 m around the station


def seed_demo_positions(*, seed: int) -> int:
    """Reports a fresh position (on duty, available) for up to PER_STATION responders of each
    station and for the demo logins; returns how many. Idempotent: a re-run moves them."""
    rng, reported = Random(seed), 0
    stations = Unit.objects.filter(kind=UnitKind.POLICE_STATION, lat__isnull=False)
    for station in stations.order_by("code"):
        assert station.lat is not None and station.lng is not None
        people = User.objects.filter(role=Role.RESPONDER, unit=station, is_active=True)
        for person in people.order_by("username")[:PER_STATION]:
            lat = station.lat + rng.uniform(-SPREAD_DEG, SPREAD_DEG)
            lng = station.lng + rng.uniform(-SPREAD_DEG, SPREAD_DEG)
            reported += _report(person, lat, lng)
    for username in ("responder", "grid_worker"):
        login = User.objects.filter(username=username).select_related("node").first()
        place = _centre(login.node) if login and login.node else None
        if login is not None and place is not None:
            reported += _report(login, *place)
    return reported


def _centre(node: JurisdictionNode) -> tuple[float, float] | None:
    current: JurisdictionNode | None = node
    while current is not None:
        if current.centre_lat is not None and current.centre_lng is not None:
            return current.centre_lat, current.centre_lng
        current = current.parent if current.level != NodeLevel.CITY else None
    return None


def _report(person: User, lat: float, lng: float) -> int:
    with transaction.atomic():
        responder_position_report(actor=person, lat=lat, lng=lng, available=True, on_duty=True)
    return 1
