"""Every read of scoped core data. Each function takes the acting user and returns only what
their jurisdiction node's subtree holds; other apps scope their own rows with `scope_q`."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from pypinyin import Style, lazy_pinyin

from shouwang.core.errors import NotFound, PermissionDeniedError
from shouwang.core.geo.coords import distance_m
from shouwang.core.models import AuditEntry, JurisdictionNode, Role, Unit, User
from shouwang.core.refcache import remembered
from shouwang.core.roles import VIEW_AUDIT

# A path no node has: people without a node see nothing rather than everything.
NOTHING = "\x00"


def scope_path(user: User) -> str:
    """The path prefix of everything `user` may see."""
    if user.is_anonymous or not user.is_active:
        return NOTHING
    if user.node_id is None:
        return "/" if user.is_superuser else NOTHING
    assert user.node is not None
    return user.node.path


def sees_whole_system(user: User) -> bool:
    """City-level people (at a root node) and node-less superusers also see system-wide rows,
    such as audit entries of failed sign-ins for unknown usernames."""
    path = scope_path(user)
    return path == "/" or path.count("/") == 2


def scope_path_q(user: User, lookup: str) -> Q:
    """Like scope_q, for a column holding a node path (e.g. AuditEntry.node_path), where an
    empty path means a system-wide row."""
    path = scope_path(user)
    q = Q(**{f"{lookup}__startswith": path})
    return q | Q(**{lookup: ""}) if sees_whole_system(user) else q


def scope_q(user: User, *, via: str) -> Q:
    """A filter keeping rows whose jurisdiction node lies in the user's subtree. `via` is the
    lookup to the node ("node" for a FK named node, "" for nodes themselves)."""
    lookup = f"{via}__path__startswith" if via else "path__startswith"
    return Q(**{lookup: scope_path(user)})


def node_in_scope(user: User, node: JurisdictionNode) -> bool:
    return node.path.startswith(scope_path(user))


def nodes_list(
    *,
    user: User,
    parent_code: str | None = None,
    level: str | None = None,
    search: str | None = None,
) -> QuerySet[JurisdictionNode]:
    nodes = JurisdictionNode.objects.filter(scope_q(user, via=""))
    if parent_code:
        nodes = nodes.filter(parent__code=parent_code)
    if level:
        nodes = nodes.filter(level=level)
    if search:
        nodes = nodes.filter(Q(name__contains=search) | Q(code__startswith=search))
    return nodes.order_by("path")


def node_roots(*, user: User) -> QuerySet[JurisdictionNode]:
    """The top of what the user sees: the whole tree for a city user, their town for a town user."""
    path = scope_path(user)
    if path == "/":
        return JurisdictionNode.objects.filter(parent__isnull=True)
    return JurisdictionNode.objects.filter(path=path)


def node_get(*, user: User, code: str) -> JurisdictionNode:
    node = JurisdictionNode.objects.filter(scope_q(user, via=""), code=code).first()
    if node is None:
        raise NotFound()
    return node


def node_lineage(*, node: JurisdictionNode) -> list[JurisdictionNode]:
    """The node and its ancestors, root first: one query, then from process memory
    (core.refcache) until the tree changes. The nodes are shared: read them, do not change
    them."""
    return list(remembered(("lineage", node.path), lambda: _lineage_load(node.path)))


def _lineage_load(path: str) -> tuple[JurisdictionNode, ...]:
    codes = [code for code in path.split("/") if code]
    by_code = {n.code: n for n in JurisdictionNode.objects.filter(code__in=codes)}
    return tuple(by_code[code] for code in codes if code in by_code)


def node_by_id(*, pk: int) -> JurisdictionNode:
    """A node by id (e.g. the grid a point fell in), from process memory when it can be."""
    return remembered(("node", pk), lambda: JurisdictionNode.objects.get(pk=pk))


def unit_by_id(*, pk: int) -> Unit:
    """A unit by id, from process memory when it can be. Read it, do not change it."""
    return remembered(("unit", pk), lambda: Unit.objects.get(pk=pk))


def people_list(
    *,
    user: User,
    role: str | None = None,
    node_code: str | None = None,
    search: str | None = None,
    phone_hash: str | None = None,
    id_number_hash: str | None = None,
    within: JurisdictionNode | None = None,
) -> QuerySet[User]:
    people = User.objects.filter(scope_q(user, via="node")).select_related("node", "unit")
    if role:
        people = people.filter(role=role)
    if node_code:
        people = people.filter(node__code=node_code)
    if within is not None:
        people = people.filter(node__path__startswith=within.path)
    if search and search.strip():
        people = people.filter(_people_search_q(people, search.strip()))
    if phone_hash:
        people = people.filter(phone_hash=phone_hash)
    if id_number_hash:
        people = people.filter(id_number_hash=id_number_hash)
    return people.order_by("node__path", "username")


def name_initials(name: str) -> str:
    """Pinyin initials of a Chinese name, lower case: "费桂兰" → "fgl"."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def _people_search_q(people: QuerySet[User], search: str) -> Q:
    """By part of the name or the username; letters also match the name's pinyin initials
    (computed over the already scoped rows: a jurisdiction holds thousands, not millions)."""
    match = Q(username__icontains=search) | Q(full_name__contains=search)
    if search.isascii() and search.isalpha():
        letters = search.lower()
        named = people.exclude(full_name="").values_list("pk", "full_name")
        match |= Q(pk__in=[pk for pk, name in named if letters in name_initials(name)])
    return match


@dataclass(frozen=True)
class DirectoryEntry:
    """One person of the directory: who, where they belong, and, for people who report a
    position from the phone page, whether they are on duty and how far from the case."""

    username: str
    full_name: str
    role: str
    role_label: str
    node_code: str | None
    node_name: str | None
    unit_code: str | None
    unit_name: str | None
    phone_masked: str
    on_duty: bool | None
    position_at: datetime | None
    distance_m: float | None


def people_directory(
    *,
    user: User,
    search: str | None = None,
    role: str | None = None,
    node_code: str | None = None,
    within: JurisdictionNode | None = None,
    origin: tuple[float, float] | None = None,
) -> list[DirectoryEntry]:
    """The scoped people finder of the console and the jurisdiction page: by name, pinyin
    initials or username. With `origin` (lat, lng of a case), the nearest positions first."""
    people = people_list(user=user, role=role, node_code=node_code, search=search, within=within)
    entries = [_directory_entry(p, origin) for p in people.select_related("responder_status")]
    if origin is not None:
        entries.sort(key=lambda e: (e.distance_m is None, e.distance_m or 0.0))
    return entries


def _directory_entry(person: User, origin: tuple[float, float] | None) -> DirectoryEntry:
    # The position lives in the loop's ResponderStatus, reached by its reverse relation so core
    # does not import the cases app.
    status = getattr(person, "responder_status", None)
    distance = None
    if status is not None and origin is not None:
        distance = round(distance_m(status.lng, status.lat, origin[1], origin[0]))
    return DirectoryEntry(
        username=person.username,
        full_name=person.full_name,
        role=person.role,
        role_label=str(Role(person.role).label),
        node_code=person.node.code if person.node else None,
        node_name=person.node.name if person.node else None,
        unit_code=person.unit.code if person.unit else None,
        unit_name=person.unit.name if person.unit else None,
        phone_masked=person.phone_masked,
        on_duty=status.on_duty if status is not None else None,
        position_at=status.reported_at if status is not None else None,
        distance_m=distance,
    )


def person_get(*, user: User, username: str) -> User:
    person = (
        User.objects.filter(scope_q(user, via="node"), username=username)
        .select_related("node", "unit")
        .first()
    )
    if person is None:
        raise NotFound()
    return person


def units_list(
    *, user: User, kind: str | None = None, node_code: str | None = None
) -> QuerySet[Unit]:
    units = Unit.objects.filter(scope_q(user, via="node")).select_related("node", "parent")
    if kind:
        units = units.filter(kind=kind)
    if node_code:
        units = units.filter(node__code=node_code)
    return units.order_by("code")


def unit_get(*, user: User, code: str) -> Unit:
    unit = Unit.objects.filter(scope_q(user, via="node"), code=code).select_related("node").first()
    if unit is None:
        raise NotFound()
    return unit


def audit_entries_list(
    *,
    user: User,
    action: str | None = None,
    result: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    if not user.has_perm(VIEW_AUDIT):
        raise PermissionDeniedError()
    entries = AuditEntry.objects.filter(scope_path_q(user, "node_path"))
    filters = {"action": action, "result": result, "actor_username": actor}
    entries = entries.filter(**{k: v for k, v in filters.items() if v})
    if since:
        entries = entries.filter(at__gte=since)
    if until:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-at", "-id")
