"""Writes of the places app: premises, rooms and their alarm contacts."""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import Conflict, InvalidInput, OutOfJurisdiction, PermissionDeniedError
from shouwang.core.geo.locate import locate_grid_id
from shouwang.core.models import JurisdictionNode, Unit, User
from shouwang.core.roles import ALARM_CONTACT_EDITOR_ROLES
from shouwang.core.selectors import node_in_scope, scope_q
from shouwang.places.models import AlarmContact, ContactRole, Premises, PremisesKind, Room


def _premises_node(
    node: JurisdictionNode | None, lat: float | None, lng: float | None
) -> JurisdictionNode:
    if node is not None:
        return node
    grid_id = locate_grid_id(lng=lng, lat=lat) if lat is not None and lng is not None else None
    grid = JurisdictionNode.objects.filter(pk=grid_id).first() if grid_id else None
    if grid is None:
        raise InvalidInput(
            _("请指定所在辖区，或给出落在某个网格内的坐标。"), extra={"field": "node"}
        )
    return grid


def _full_clean(instance: Premises | Room | AlarmContact) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput(extra={"fields": exc.message_dict}) from exc


@transaction.atomic
def premises_create(
    *,
    code: str,
    name: str,
    kind: PremisesKind | str,
    node: JurisdictionNode | None = None,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    actor: User | None = None,
) -> Premises:
    """A new premises. Without `node`, the grid its coordinates fall in. An `actor` may only
    create premises inside their own jurisdiction."""
    located = _premises_node(node, lat, lng)
    if actor is not None and not node_in_scope(actor, located):
        raise OutOfJurisdiction()
    if Premises.objects.filter(code=code).exists():
        raise Conflict(_("场所编码已存在。"), extra={"field": "code"})
    premises = Premises(
        code=code, name=name, kind=kind, node=located, address=address, lat=lat, lng=lng
    )
    _full_clean(premises)
    premises.save()
    return premises


@transaction.atomic
def room_ensure(*, premises: Premises, number: str, floor: int | None = None) -> Room:
    """The room `number` of the premises, created on first mention (imports name rooms as
    they go). An existing room keeps its floor unless it had none."""
    room, created = Room.objects.get_or_create(
        premises=premises, number=number, defaults={"floor": floor}
    )
    if not created and room.floor is None and floor is not None:
        room.floor = floor
        room.save(update_fields=["floor"])
    return room


@transaction.atomic
def alarm_contact_add(
    *,
    premises: Premises,
    role: ContactRole,
    person: User | None = None,
    unit: Unit | None = None,
    order: int = 1,
    extra_channel: str = "",
    extra_recipient: str = "",
) -> AlarmContact:
    contact = AlarmContact(
        premises=premises,
        role=role,
        person=person,
        unit=unit,
        order=order,
        extra_channel=extra_channel,
        extra_recipient=extra_recipient,
    )
    _full_clean(contact)
    contact.save()
    return contact


def premises_qr_issue(*, premises: Premises) -> Premises:
    """Gives the premises a fresh QR token (an old printed code stops working)."""
    for _attempt in range(3):
        premises.qr_token = secrets.token_urlsafe(18)
        try:
            with transaction.atomic():
                premises.save(update_fields=["qr_token", "updated_at"])
            return premises
        except IntegrityError:
            continue  # a collision of 144 random bits: try another
    raise Conflict()


@dataclass(frozen=True)
class ContactSpec:
    role: str
    person: str = ""  # a username
    unit: str = ""  # a unit code
    order: int = 1


@transaction.atomic
def alarm_contacts_replace(
    *, actor: User, premises: Premises, contacts: list[ContactSpec]
) -> list[AlarmContact]:
    """Replaces the contacts entered for a premises (the caller has already found it through
    the actor's scoped selector). People and units must be in the actor's area; unknown roles,
    people or units: 422 and nothing changed."""
    if actor.role not in ALARM_CONTACT_EDITOR_ROLES:
        raise PermissionDeniedError()
    bad_roles = sorted({c.role for c in contacts} - set(ContactRole.values))
    if bad_roles:
        raise InvalidInput(_("没有这种联系人角色。"), extra={"field": "role", "roles": bad_roles})
    usernames = {c.person for c in contacts if c.person}
    codes = {c.unit for c in contacts if c.unit}
    people = {
        u.username: u
        for u in User.objects.filter(scope_q(actor, via="node"), username__in=usernames)
    }
    # Units answer for a wider area than the actor's (the street fire command): any active.
    units = {u.code: u for u in Unit.objects.filter(code__in=codes, is_active=True)}
    unknown = sorted((usernames - set(people)) | (codes - set(units)))
    if unknown:
        raise InvalidInput(
            _("联系人不存在或不在您的辖区内。"), extra={"field": "contacts", "unknown": unknown}
        )
    premises.alarm_contacts.all().delete()
    return [
        alarm_contact_add(
            premises=premises,
            role=ContactRole(c.role),
            person=people.get(c.person),
            unit=units.get(c.unit),
            order=c.order,
        )
        for c in contacts
    ]
