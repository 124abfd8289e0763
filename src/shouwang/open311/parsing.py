"""Reading GeoReport v2 parameters: W3C datetimes, comma lists, coordinates, the reporter's
name. Anything malformed is BadRequest (400), named after the parameter at fault.

"Optional" in GeoReport v2 means an empty parameter is the same as none, so empty values read
as absent throughout."""

import math
import re
from datetime import datetime

from django.http import QueryDict
from django.utils.timezone import get_default_timezone

from shouwang.open311.errors import BadRequest
from shouwang.open311.selectors import MAX_REQUESTS, STATUSES

SHANGHAI = get_default_timezone()  # settings.TIME_ZONE
DESCRIPTION_MAX_LENGTH = 4000  # GeoReport v2 and Case.description
# An unescaped "+08:00" in a query string arrives as " 08:00".
_OFFSET_AFTER_SPACE = re.compile(r"(:\d{2}(?:\.\d+)?) (\d{2}:?\d{2})$")


def text(params: QueryDict, name: str) -> str:
    # PostgreSQL text cannot hold NUL; a %00 in a form would otherwise fail the insert (500).
    return params.get(name, "").replace("\x00", "").strip()


def comma_list(params: QueryDict, name: str) -> list[str]:
    """Comma-separated values, also accepted as the parameter repeated."""
    values = [v for raw in params.getlist(name) for v in raw.split(",")]
    return [v.strip() for v in values if v.strip()]


def request_ids(params: QueryDict) -> list[int] | None:
    values = comma_list(params, "service_request_id")
    if not values:
        return None
    if len(values) > MAX_REQUESTS:
        raise BadRequest(f"At most {MAX_REQUESTS} service_request_id values at once.")
    try:
        return [int(v) for v in values]
    except ValueError as exc:
        raise BadRequest("service_request_id must be numbers separated by commas.") from exc


def statuses(params: QueryDict) -> list[str]:
    values = [v.lower() for v in comma_list(params, "status")]
    unknown = sorted(set(values) - set(STATUSES))
    if unknown:
        raise BadRequest(f"status must be open or closed, not {', '.join(unknown)}.")
    return values


def w3c_datetime(params: QueryDict, name: str) -> datetime | None:
    """A W3C datetime (2010-01-01T00:00:00Z, or with an offset); one without an offset is read
    as China Standard Time, a date alone as its midnight."""
    value = text(params, name)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(_OFFSET_AFTER_SPACE.sub(r"\1+\2", value))
    except ValueError as exc:
        raise BadRequest(f"{name} must be a W3C datetime, e.g. 2010-01-01T00:00:00Z.") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


def coordinate(params: QueryDict, name: str, *, limit: float) -> float | None:
    value = text(params, name)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a number (WGS-84 degrees).") from exc
    if not math.isfinite(number) or abs(number) > limit:
        raise BadRequest(f"{name} must lie between -{limit:g} and {limit:g}.")
    return number


def description(params: QueryDict) -> str:
    value = text(params, "description")
    if len(value) > DESCRIPTION_MAX_LENGTH:
        raise BadRequest(f"description is longer than {DESCRIPTION_MAX_LENGTH} characters.")
    return value


def reporter_name(params: QueryDict) -> str:
    """first_name and last_name as the name is written: "John Smith", but 王小明 (family name
    first, no space) for Chinese names."""
    first, last = text(params, "first_name"), text(params, "last_name")
    if first.isascii() and last.isascii():
        return f"{first} {last}".strip()
    return f"{last}{first}"
