"""Writing GeoReport v2 documents as JSON or XML. The XML is schemaless, without a namespace,
after an XML declaration naming UTF-8; the JSON follows from it by the Spark convention (a list
element becomes an array of its items), as the specification asks."""

import json
import re
from typing import Any, Literal
from xml.etree import ElementTree as ET

from django.http import HttpResponse

Format = Literal["json", "xml"]
CONTENT_TYPES: dict[Format, str] = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# The element each list's items are written in.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all; text typed into any intake channel may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def document_response(
    fmt: Format, root: str, body: list[dict[str, Any]] | dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """`root` names the XML root element (services, service_requests, …); JSON has none."""
    if fmt == "json":
        content = json.dumps(body, ensure_ascii=False)
    else:
        element = ET.Element(root)
        _fill(element, body, root)
        content = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
            element, encoding="unicode"
        )
    return HttpResponse(content.encode(), status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: Format, status: int, description: str) -> HttpResponse:
    """The specification's error document; the code repeats the HTTP status."""
    return document_response(
        fmt, "errors", [{"code": status, "description": description}], status=status
    )


def _fill(element: ET.Element, value: Any, tag: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item, key)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item, item_tag)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
