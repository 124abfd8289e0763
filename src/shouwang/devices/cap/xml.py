"""One CapAlert as a CAP 1.2 XML document, elements in the order the schema's sequences require.
Chinese first (zh-CN), then an English info block when the alert has English text. Coordinates
are WGS-84 written "lat,lon" as CAP wants (GeoJSON's order is the other way round)."""

from xml.etree.ElementTree import Element, SubElement, tostring

from shouwang.devices.models import CapAlert, CapScope
from shouwang.devices.services.cap import cap_time

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"


def _add(parent: Element, name: str, text: str | None) -> None:
    if text:
        SubElement(parent, name).text = text


def _point(lat: float, lng: float) -> str:
    return f"{lat:.6f},{lng:.6f}"


def _area(info: Element, alert: CapAlert) -> None:
    area = SubElement(info, "area")
    _add(area, "areaDesc", alert.area_desc)
    if alert.polygon:
        _add(area, "polygon", " ".join(_point(lat, lng) for lat, lng in alert.polygon))
    if alert.circle_lat is not None and alert.circle_lng is not None:
        radius = alert.circle_radius_km or 0.0
        _add(area, "circle", f"{_point(alert.circle_lat, alert.circle_lng)} {radius:g}")


def _info(root: Element, alert: CapAlert, *, english: bool) -> None:
    info = SubElement(root, "info")
    _add(info, "language", "en-US" if english else "zh-CN")
    _add(info, "category", alert.category)
    _add(info, "event", alert.event)
    for name in ("urgency", "severity", "certainty"):
        _add(info, name, getattr(alert, name))
    _add(info, "expires", cap_time(alert.expires) if alert.expires else None)
    _add(info, "senderName", "守望 Shouwang")
    _add(info, "headline", alert.headline_en if english else alert.headline)
    _add(info, "description", alert.description_en if english else alert.description)
    _add(info, "instruction", alert.instruction_en if english else alert.instruction)
    _area(info, alert)


def cap_document(alert: CapAlert) -> bytes:
    root = Element("alert", xmlns=CAP_NS)
    _add(root, "identifier", alert.identifier)
    _add(root, "sender", alert.sender)
    _add(root, "sent", cap_time(alert.sent))
    _add(root, "status", alert.status)
    _add(root, "msgType", alert.msg_type)
    _add(root, "scope", alert.scope)
    if alert.scope == CapScope.RESTRICTED:
        _add(root, "restriction", alert.restriction or "Restricted")
    _add(root, "references", alert.references)
    _info(root, alert, english=False)
    if alert.headline_en:
        _info(root, alert, english=True)
    body = tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()
