"""Who may do what in the community app, beyond seeing their own jurisdiction."""

from shouwang.core.models import JurisdictionNode, User
from shouwang.core.roles import COMMAND_ROLES, POINTS_STAFF_ROLES
from shouwang.core.selectors import node_in_scope


def is_points_staff(user: User, node: JurisdictionNode | None = None) -> bool:
    if not user.is_authenticated or user.role not in POINTS_STAFF_ROLES:
        return False
    return node is None or node_in_scope(user, node)


def is_forces_staff(user: User) -> bool:
    return user.is_authenticated and user.role in COMMAND_ROLES
