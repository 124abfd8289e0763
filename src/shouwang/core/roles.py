"""What each role may do beyond seeing its own jurisdiction. Kept in code, not in editable
groups, so a role means the same on every install; per-person extras go through the admin and
are audited."""

from shouwang.core.models import Role

REVEAL_PII = "core.reveal_pii"
VIEW_AUDIT = "core.view_auditentry"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.DISPATCHER: frozenset({REVEAL_PII}),
    Role.RESPONDER: frozenset(),
    Role.FIRST_RESPONDER: frozenset(),
    Role.VOLUNTEER: frozenset(),
    Role.INSPECTOR: frozenset(),
    Role.MEDIATOR: frozenset({REVEAL_PII}),
    Role.LANDLORD: frozenset(),
    Role.LEADER: frozenset({REVEAL_PII, VIEW_AUDIT}),
    Role.ADMIN: frozenset({REVEAL_PII, VIEW_AUDIT}),
}

# Roles whose people use the Django admin back office.
STAFF_ROLES = frozenset({Role.ADMIN})
