"""Who may do what with rental housing.

- A landlord or manager (`PremisesManager`) registers and cancels tenancies, issues and revokes
  cards and publishes listings for the premises they manage, and sees their tenants masked.
- Grid staff — a `responder` or `inspector` (the grid worker, 网格员) whose jurisdiction holds the
  premises — may do the same for any premises there: they register on a door-to-door visit.
- Police and grid staff (`dispatcher`, `responder`, `inspector`, `leader`, `admin`) may query who
  lives where in their jurisdiction; every such query is audited.
Anything outside a person's reach answers 404, as if it did not exist."""

from django.db.models import Q

from shouwang.core.errors import NotFound, PermissionDeniedError
from shouwang.core.models import Role, User
from shouwang.core.roles import HOUSING_GRID_STAFF_ROLES, HOUSING_QUERY_ROLES
from shouwang.core.selectors import node_in_scope, scope_q
from shouwang.places.models import Premises


def is_grid_staff(user: User) -> bool:
    return user.role in HOUSING_GRID_STAFF_ROLES or user.role == Role.ADMIN


def premises_q(user: User, *, via: str = "") -> Q:
    """A filter on premises (through `via`) keeping those the user manages or oversees."""
    prefix = f"{via}__" if via else ""
    if user.role == Role.LANDLORD:
        return Q(**{f"{prefix}managers__user": user})
    if is_grid_staff(user):
        return scope_q(user, via=f"{prefix}node")
    return Q(pk__in=[])


def premises_check(user: User, premises: Premises) -> None:
    """Raises NotFound unless `user` may manage tenancies at `premises`."""
    if user.role == Role.LANDLORD:
        if premises.managers.filter(user=user).exists():
            return
    elif is_grid_staff(user) and node_in_scope(user, premises.node):
        return
    raise NotFound()


def query_check(user: User) -> None:
    if user.role not in HOUSING_QUERY_ROLES:
        raise PermissionDeniedError()
