"""What each GeoReport v2 resource says, field by field, as plain data that responses.py writes
as JSON or XML. A request shows public fields only: no reporter name, phone or e-mail, and no
description either, since callers routinely write names and numbers into free text."""

from datetime import datetime
from typing import Any

from django.utils.timezone import get_default_timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shouwang.cases.models import Case, CaseState, Category
from shouwang.open311.selectors import request_is_restricted, request_status

# What a police or confidential request shows, even to the client that filed it.
RESTRICTED_FIELDS = frozenset(
    {
        "service_request_id",
        "service_code",
        "service_name",  # the code's public name, nothing about the matter
        "status",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
    }
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The discovery document's changeset: bump it when this interface or its services change shape.
CHANGESET = "2026-11-23 00:00"
# GeoReport v2 wants W3C datetimes with their offset; ours is China Standard Time.
SHANGHAI = get_default_timezone()  # settings.TIME_ZONE
Document = dict[str, Any]


def w3c(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None


def _name(category: Category) -> str:
    english = (get_language() or "").startswith("en")
    return category.name_en if english and category.name_en else category.name


def service(category: Category) -> Document:
    return {
        "service_code": category.code,
        "service_name": _name(category),
        # The English name, for clients outside China; the Chinese one when there is none.
        "description": category.name_en or category.name,
        # No service asks for attributes: services/{code} answers an empty attribute list.
        "metadata": False,
        # The case id is known as soon as the intake commits.
        "type": "realtime",
        "keywords": ", ".join(category.keywords.split()),
        "group": _name(category.parent) if category.parent else _name(category),
    }


def service_definition(category: Category) -> Document:
    return {"service_code": category.code, "attributes": []}


def service_request(case: Case) -> Document:
    """A request's public record; for a police or confidential matter only RESTRICTED_FIELDS
    (the others are null): no description, address, position, notes or media."""
    document = _service_request(case)
    if request_is_restricted(case):
        return {k: (v if k in RESTRICTED_FIELDS else None) for k, v in document.items()}
    return document


def _service_request(case: Case) -> Document:
    detail = getattr(case, "open311_request", None)
    return {
        "service_request_id": case.pk,
        "status": request_status(case.state),
        "status_notes": str(CaseState(case.state).label),
        "service_name": _name(case.category),
        "service_code": case.category.code,
        "description": None,
        "agency_responsible": case.responsible_unit.name if case.responsible_unit else None,
        "service_notice": _service_notice(case),
        "requested_datetime": w3c(case.received_at),
        "updated_datetime": w3c(_updated_at(case)),
        "expected_datetime": w3c(case.resolve_deadline),
        "address": case.address or case.node.name,
        "address_id": None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lng,
        "media_url": (detail.media_url or None) if detail is not None else None,
    }


def _updated_at(case: Case) -> datetime:
    """When the request last changed; for a closed one, when it was closed (GeoReport v2)."""
    finished = {
        CaseState.CLOSED: case.closed_at,
        CaseState.VERIFIED: case.verified_at,
        CaseState.RESOLVED: case.resolved_at,
    }.get(CaseState(case.state))
    last_event: datetime | None = getattr(case, "last_event_at", None)
    return finished or last_event or case.received_at


def _service_notice(case: Case) -> str | None:
    if request_status(case.state) == "closed" or case.resolve_deadline is None:
        return None
    deadline = case.resolve_deadline.astimezone(SHANGHAI)
    return _("按时限要求，应于 %(deadline)s 前办结。") % {"deadline": f"{deadline:%Y-%m-%d %H:%M}"}


def request_created(case: Case) -> Document:
    return {
        "service_request_id": case.pk,
        "service_notice": _("已受理，事件编号 %(number)s。") % {"number": case.number},
        # Account ids are not kept (models.Open311Request).
        "account_id": None,
    }


def token(case: Case) -> Document:
    return {"service_request_id": case.pk, "token": case.external_token}


def discovery(endpoint_url: str) -> Document:
    return {
        "changeset": CHANGESET,
        "contact": _("如需帮助，请联系本平台管理员。"),
        "key_service": _(
            "提交事件需要 API 密钥：由平台管理员在后台签发，或运行 shouwang open311-key 名称。"
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
