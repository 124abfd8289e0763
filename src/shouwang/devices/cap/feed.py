"""The alert feed in Atom (RFC 4287), as alert hubs publish theirs: one entry per current CAP
message, each linking its own CAP document with type application/cap+xml."""

from collections.abc import Sequence
from xml.etree.ElementTree import Element, SubElement, tostring

from django.utils import timezone

from shouwang.devices.models import CapAlert
from shouwang.devices.services.cap import cap_sender, cap_time

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_TYPE = "application/cap+xml"


def _text(parent: Element, name: str, text: str) -> Element:
    element = SubElement(parent, name)
    element.text = text
    return element


def cap_feed(*, alerts: Sequence[CapAlert], feed_url: str, alert_url: str) -> bytes:
    """`alert_url` holds "{identifier}" where each alert's identifier goes."""
    root = Element("feed", xmlns=ATOM_NS)
    _text(root, "id", feed_url)
    _text(root, "title", "守望 Shouwang CAP")
    newest = max((a.sent for a in alerts), default=timezone.now())
    _text(root, "updated", cap_time(newest))
    author = SubElement(root, "author")
    _text(author, "name", cap_sender())
    SubElement(root, "link", rel="self", href=feed_url)
    for alert in alerts:
        entry = SubElement(root, "entry")
        _text(entry, "id", f"urn:cap:{alert.sender}:{alert.identifier}")
        _text(entry, "title", alert.headline)
        _text(entry, "updated", cap_time(alert.sent))
        _text(entry, "published", cap_time(alert.sent))
        href = alert_url.replace("{identifier}", alert.identifier)
        SubElement(entry, "link", rel="alternate", type=CAP_TYPE, href=href)
        _text(entry, "summary", alert.description or alert.headline)
        SubElement(entry, "category", term=alert.category)
    body = tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()
