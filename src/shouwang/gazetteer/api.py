from django.http import HttpRequest
from ninja import Router, Schema

from shouwang.gazetteer.selectors import geocode

router = Router(tags=["geo"])


class GeocodeResultOut(Schema):
    address: str
    lat: float
    lng: float
    node_code: str | None
    score: float


class GeocodeOut(Schema):
    results: list[GeocodeResultOut]


@router.get("/geocode", response=GeocodeOut)
def geocode_address(request: HttpRequest, q: str, limit: int = 5) -> dict[str, object]:
    """Places in the standard address gazetteer for what a caller said (offline; any signed-in
    user: addresses are not personal data). Best first; `score` in [0, 1]."""
    return {"results": geocode(q=q[:200], limit=max(1, min(limit, 20)))}
