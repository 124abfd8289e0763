"""Every write of the Open311 interface: issuing and editing API keys, recognising a key, and
taking a service request in. A request posted here becomes an ordinary case through the cases
intake service (channel "open311"), located, routed and timed like any other."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from shouwang.cases.models import Case, CaseChannel, Category
from shouwang.cases.services import case_intake
from shouwang.core.models import AuditAction, JurisdictionNode, User
from shouwang.core.services.audit import audit_record
from shouwang.open311.errors import ApiKeyRejected, BadRequest
from shouwang.open311.models import Open311ApiKey, Open311Request

KEY_PREFIX = "o311_"  # a visible marker, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)
MEDIA_URL_MAX_LENGTH = 500
_media_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class IssuedApiKey:
    key: str
    record: Open311ApiKey


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_issue(
    *,
    name: str,
    node: JurisdictionNode | None = None,
    is_active: bool = True,
    actor: User | None = None,
) -> IssuedApiKey:
    """Creates a key and returns it in clear, the only time it exists outside the caller's
    hands; the issue is audited."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = Open311ApiKey(
        name=name.strip(), node=node, is_active=is_active, digest=_digest(key), prefix=key[:10]
    )
    try:
        record.full_clean()
    except ValidationError as exc:
        raise BadRequest(" ".join(exc.messages)) from exc
    record.save()
    audit_record(
        action=AuditAction.TOKEN_ISSUED,
        actor=actor,
        actor_username="system",  # when no person issued it (the command line)
        target=record,
        node_path=node.path if node is not None else "",
        detail={"kind": "open311_api_key", "name": record.name},
    )
    return IssuedApiKey(key=key, record=record)


def api_key_save(*, api_key: Open311ApiKey) -> Open311ApiKey:
    """Saves what the admin may change on an issued key: its name, node and whether it works."""
    try:
        api_key.full_clean(exclude=["digest", "prefix"])
    except ValidationError as exc:
        raise BadRequest(" ".join(exc.messages)) from exc
    api_key.save(update_fields=["name", "node", "is_active"])
    return api_key


def api_key_authenticate(*, key: str) -> Open311ApiKey:
    """The active key `key` names, its last use stamped (to the minute). ApiKeyRejected (403)
    when it is missing, unknown or switched off."""
    if not key:
        raise ApiKeyRejected("api_key is required to post a service request.")
    record = (
        Open311ApiKey.objects.select_related("node")
        .filter(digest=_digest(key), is_active=True)
        .first()
    )
    if record is None:
        raise ApiKeyRejected("Invalid api_key received -- can't proceed with create_request.")
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        Open311ApiKey.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record


@transaction.atomic
def service_request_create(
    *,
    api_key: Open311ApiKey,
    category: Category,
    lat: float | None,
    lng: float | None,
    address: str = "",
    address_id: str = "",
    description: str = "",
    reporter_name: str = "",
    phone: str = "",
    media_url: str = "",
) -> Case:
    """Takes a GeoReport v2 service request in as a committed case (durability rule 1: the
    caller answers 2xx only after this returns). The case is placed by its coordinates; a
    request whose place falls outside the key's node is refused and nothing is kept.
    `address_id` only counts as a location given: there is no address register to resolve it."""
    _check_location(lat, lng, has_address=bool(address or address_id))
    _check_media_url(media_url)
    case = case_intake(
        actor=None,
        category=category,
        # A GeoReport description is optional; a case needs one, and the service's name is
        # what the reporter chose to tell.
        description=description.strip() or category.name,
        channel=CaseChannel.OPEN311,
        lat=lat,
        lng=lng,
        address=address,
        reporter_name=reporter_name,
        caller_phone=phone,
    ).case
    if api_key.node is not None and not case.node.path.startswith(api_key.node.path):
        # Raised inside the transaction: the case, its timeline and its outbox rows go too.
        raise ApiKeyRejected(
            f"This api_key may only post requests inside {api_key.node.name} ({api_key.node.code})."
        )
    Open311Request.objects.create(case=case, api_key=api_key, media_url=media_url)
    return case


def _check_location(lat: float | None, lng: float | None, *, has_address: bool) -> None:
    if lat is not None and lng is not None:
        return
    if lat is not None or lng is not None:
        raise BadRequest("lat and long must be sent together.")
    if not has_address:
        raise BadRequest("A location is required: lat and long, address_string or address_id.")
    # The intake places an anonymous report by its point only (the grid it falls in); there
    # is no address register to look an address_string or address_id up in.
    raise BadRequest(
        "This endpoint places requests by lat and long; "
        "address_string or address_id alone cannot be located."
    )


def _check_media_url(media_url: str) -> None:
    if not media_url:
        return
    if len(media_url) > MEDIA_URL_MAX_LENGTH:
        raise BadRequest(f"media_url is longer than {MEDIA_URL_MAX_LENGTH} characters.")
    try:
        _media_url_validator(media_url)
    except ValidationError as exc:
        raise BadRequest("media_url must be an http or https URL.") from exc
