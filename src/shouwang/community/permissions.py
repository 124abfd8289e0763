"""Who may do what in the community app, beyond seeing their own jurisdiction."""

from shouwang.core.models import JurisdictionNode, Role, User
from shouwang.core.selectors import node_in_scope

# Town staff who run the points scheme and read its figures: the co-governance centre (leader)
# and administrators. Volunteers see their own wallet only.
POINTS_STAFF = frozenset({Role.LEADER, Role.ADMIN})
# Who reads patrol and group figures of their jurisdiction (the console side).
FORCES_STAFF = frozenset({Role.LEADER, Role.ADMIN, Role.DISPATCHER})


def is_points_staff(user: User, node: JurisdictionNode | None = None) -> bool:
    if not user.is_authenticated or user.role not in POINTS_STAFF:
        return False
    return node is None or node_in_scope(user, node)


def is_forces_staff(user: User) -> bool:
    return user.is_authenticated and user.role in FORCES_STAFF
