"""Every read of the places app. Lists and details are scoped to the acting user's subtree;
`premises_alarm_contacts` is the system's own read, made when an alarm goes off."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from shouwang.core.errors import NotFound
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, Unit, UnitKind, User
from shouwang.core.selectors import node_lineage, scope_q
from shouwang.places.models import AlarmContact, ContactRole, Premises, Room


def premises_list(
    *,
    user: User,
    kind: str | None = None,
    node_code: str | None = None,
    search: str | None = None,
    incomplete_contacts: bool = False,
) -> QuerySet[Premises]:
    premises = Premises.objects.filter(premises_visible_q(user)).select_related("node")
    if incomplete_contacts:
        # Fewer than the five roles entered (a fallback may still answer; the detail says).
        complete = (
            AlarmContact.objects.values("premises_id")
            .annotate(roles=Count("role", distinct=True))
            .filter(roles__gte=len(ContactRole))
            .values("premises_id")
        )
        premises = premises.exclude(pk__in=complete)
    if kind:
        premises = premises.filter(kind=kind)
    if node_code:
        premises = premises.filter(node__path__contains=f"/{node_code}/")
    if search:
        premises = premises.filter(
            Q(name__contains=search) | Q(code__startswith=search) | Q(address__contains=search)
        )
    return premises.order_by("code")


def premises_get(*, user: User, code: str) -> Premises:
    rooms = Prefetch("rooms", queryset=Room.objects.order_by("floor", "number"))
    premises = (
        Premises.objects.filter(premises_visible_q(user), code=code)
        .select_related("node")
        .prefetch_related(rooms)
        .first()
    )
    if premises is None:
        raise NotFound()
    return premises


def premises_visible_q(user: User) -> Q:
    """Least privilege on premises: everyone sees the premises of their jurisdiction subtree,
    and a landlord only those they are entered for as the landlord contact."""
    visible = scope_q(user, via="node")
    if user.role == Role.LANDLORD:
        own = AlarmContact.objects.filter(role=ContactRole.LANDLORD, person=user)
        visible &= Q(pk__in=own.values("premises_id"))
    return visible


def premises_by_qr_token(*, token: str) -> Premises:
    """The premises a public QR code names (no user: the page is public and shows no personal
    data). NotFound for an unknown or withdrawn token."""
    premises = Premises.objects.filter(qr_token=token).first() if token else None
    if premises is None:
        raise NotFound()
    return premises


@dataclass(frozen=True)
class ResolvedContact:
    role: ContactRole
    person: User | None
    unit: Unit | None
    fallback: bool  # True when no contact of this role was entered for the premises
    extra_channel: str = ""
    extra_recipient: str = ""

    @property
    def name(self) -> str:
        if self.person is not None:
            return self.person.display_name
        return self.unit.name if self.unit is not None else ""


@dataclass(frozen=True)
class ContactPlan:
    contacts: list[ResolvedContact]
    missing: list[ContactRole]


# Fallback unit kinds per role, looked for from the premises' node upwards (deepest first):
# the village's micro fire station, the town's fire command, the village committee for the
# community fire officer, the property company's security for a premises without a landlord.
FALLBACK_UNIT_KINDS = {
    ContactRole.FIRE_OFFICER: UnitKind.VILLAGE_COMMITTEE,
    ContactRole.LANDLORD: UnitKind.PROPERTY_SECURITY,
    ContactRole.MICRO_FIRE_STATION: UnitKind.MICRO_FIRE_STATION,
    ContactRole.FIRE_COMMAND: UnitKind.FIRE_COMMAND,
}


def premises_alarm_contacts(*, premises: Premises) -> ContactPlan:
    """The five parties an alarm at `premises` reaches, one per role: the first active contact
    entered for the role (by `order`), else the role's fallback — a responder of the premises'
    grid for the grid leader, the unit of the fallback kind nearest up the jurisdiction tree for
    the others. Roles with nobody at all are listed in `missing`. One query when every role
    has a contact entered (the fallbacks are looked for only when one is missing), three
    otherwise."""
    entered = _entered_contacts(premises)
    fallbacks: dict[ContactRole, ResolvedContact] = {}
    if any(role not in entered for role in ContactRole):
        fallbacks = _fallback_contacts(node_lineage(node=premises.node))
    contacts, missing = [], []
    for role in ContactRole:
        contact = entered.get(role) or fallbacks.get(role)
        if contact is None:
            missing.append(role)
        else:
            contacts.append(contact)
    return ContactPlan(contacts=contacts, missing=missing)


def _entered_contacts(premises: Premises) -> dict[ContactRole, ResolvedContact]:
    rows = (
        AlarmContact.objects.filter(premises=premises)
        .filter(Q(person__is_active=True) | Q(unit__is_active=True))
        .select_related("person", "unit")
        .order_by("role", "order", "id")
    )
    found: dict[ContactRole, ResolvedContact] = {}
    for row in rows:
        role = ContactRole(row.role)
        person = row.person if row.person is not None and row.person.is_active else None
        unit = row.unit if person is None and row.unit is not None else None
        if role not in found and (person or unit):
            found[role] = ResolvedContact(
                role, person, unit, False, row.extra_channel, row.extra_recipient
            )
    return found


def _fallback_contacts(lineage: list[JurisdictionNode]) -> dict[ContactRole, ResolvedContact]:
    depth = {node.pk: i for i, node in enumerate(lineage)}
    units = Unit.objects.filter(
        node__in=lineage, kind__in=set(FALLBACK_UNIT_KINDS.values()), is_active=True
    ).select_related("node")
    nearest: dict[str, Unit] = {}
    for unit in sorted(units, key=lambda u: (-depth[u.node_id], u.code)):
        nearest.setdefault(unit.kind, unit)
    found = {
        role: ResolvedContact(role, None, nearest[kind], True)
        for role, kind in FALLBACK_UNIT_KINDS.items()
        if kind in nearest
    }
    grid = next((n for n in lineage if n.level == NodeLevel.GRID), None)
    if grid is not None:
        responder = (
            User.objects.filter(node=grid, role=Role.RESPONDER, is_active=True)
            .order_by("pk")
            .first()
        )
        if responder is not None:
            found[ContactRole.GRID_LEADER] = ResolvedContact(
                ContactRole.GRID_LEADER, responder, None, True
            )
    return found
