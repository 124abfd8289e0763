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
# Who may set a premises' five alarm contacts: the command centre, the grid worker (responder
# role) and the landlord for their own premises.
ALARM_CONTACT_EDITOR_ROLES = frozenset({Role.DISPATCHER, Role.RESPONDER, Role.LANDLORD, Role.ADMIN})
# Who inspects premises against a checklist: inspectors and grid workers (responder role).
INSPECTION_ROLES = frozenset({Role.INSPECTOR, Role.RESPONDER, Role.ADMIN})
# Who works on hazard rectification: the inspector, the landlord, the command centre.
HAZARD_ROLES = frozenset({Role.INSPECTOR, Role.LANDLORD, Role.DISPATCHER, Role.ADMIN})
# Who acts with an inspector's authority: enforcement measures and the re-inspection that closes
# a hazard.
ENFORCEMENT_ROLES = frozenset({Role.INSPECTOR, Role.ADMIN})
# Who submits a rectification on behalf of the responsible person.
RECTIFY_FOR_OTHERS_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
# Who organises fire-safety outreach (notices, campaigns).
OUTREACH_ROLES = frozenset({Role.INSPECTOR, Role.DISPATCHER, Role.LEADER, Role.ADMIN})
# Who plans inspections (the yearly/monthly plan of premises to visit).
INSPECTION_PLAN_ROLES = frozenset({Role.INSPECTOR, Role.LEADER, Role.ADMIN})
# People whose working day is mediation (the mediator's phone page).
MEDIATOR_ROLES = frozenset({Role.MEDIATOR})
# Who reads mediation files and their figures: mediators and the command room.
MEDIATION_STAFF_ROLES = frozenset({Role.MEDIATOR, Role.DISPATCHER, Role.LEADER, Role.ADMIN})
# Who writes in a mediation file: its studio's mediators, and leaders and admins of its area.
MEDIATION_WRITER_ROLES = frozenset({Role.MEDIATOR, Role.LEADER, Role.ADMIN})
# Who watches and follows up civil-to-criminal risk alerts: the command room and the patrols.
RISK_ALERT_ROLES = frozenset({Role.DISPATCHER, Role.RESPONDER, Role.LEADER, Role.ADMIN})
# Citizens in the community scheme: they earn points, patrol and join ten-household groups.
COMMUNITY_MEMBER_ROLES = frozenset({Role.VOLUNTEER, Role.FIRST_RESPONDER})
# Town staff who run the points scheme (approve redemptions, read its figures).
POINTS_STAFF_ROLES = frozenset({Role.LEADER, Role.ADMIN})
# "The grid worker" of a ten-household group: the people of its own node who answer first.
GRID_WORKER_ROLES = frozenset({Role.FIRST_RESPONDER, Role.RESPONDER})
# Rental housing: who registers tenants as grid staff (besides the landlord), who runs the
# audited police and grid queries, and whose home page links to the landlord's rooms.
HOUSING_GRID_STAFF_ROLES = frozenset({Role.RESPONDER, Role.INSPECTOR})
HOUSING_QUERY_ROLES = frozenset(
    {Role.DISPATCHER, Role.RESPONDER, Role.INSPECTOR, Role.LEADER, Role.ADMIN}
)
HOUSING_HOME_ROLES = frozenset({Role.LANDLORD, Role.RESPONDER, Role.INSPECTOR, Role.ADMIN})

# Field roles work from the phone page; their home after sign-in is the task list (/m/).
FIELD_HOME_ROLES = frozenset({Role.RESPONDER, Role.FIRST_RESPONDER})
