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

# The sets of roles that screens and services check, each written here once.
# The command room: the consoles, the big screen, the KPIs, the failed notifications, the
# device registry's operations.
COMMAND_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN})
# Those who check the work of others: verifying closures, the callbacks.
SUPERVISOR_ROLES = frozenset({Role.LEADER, Role.ADMIN})
# People in the field, on a phone: they take and carry out tasks.
FIELD_ROLES = frozenset({Role.RESPONDER, Role.FIRST_RESPONDER, Role.INSPECTOR, Role.MEDIATOR})
# Who is shown the citizen-facing links on the home page (report, track): people who meet
# citizens, and those above them.
CITIZEN_FACING_ROLES = frozenset(
    {Role.VOLUNTEER, Role.FIRST_RESPONDER, Role.LANDLORD, Role.INSPECTOR, Role.LEADER, Role.ADMIN}
)
# Least privilege inside a jurisdiction: these roles' work is every case of their jurisdiction
# (the others see only the kinds their work needs, or what they reported or were sent to).
WHOLE_JURISDICTION_ROLES = frozenset({Role.DISPATCHER, Role.RESPONDER, Role.LEADER, Role.ADMIN})
# People who belong to a police station's unit (the dispatch desk and its patrols).
STATION_ROLES = frozenset({Role.DISPATCHER, Role.RESPONDER})
# Who imports device registries: the command room and inspectors (who register premises' own).
DEVICE_IMPORT_ROLES = COMMAND_ROLES | {Role.INSPECTOR}
