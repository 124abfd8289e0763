"""Who sees a case: the one rule, stated once as a table of clauses. Each clause gives the same
condition twice, side by side — as a test of one case already in memory (`can_see_case`, used
by the step kernel after it locks the row) and as a filter on Case (`visible_cases_q`, used by
every selector). tests/test_visibility.py checks that both readings agree for every user of
the test city on every kind of case.

A user sees a case when any clause holds; an inactive or anonymous user sees none:
- in jurisdiction: the case's node lies in the user's subtree and the user's role reads such
  cases there (least privilege: dispatchers, responders, leaders and admins every case; an
  inspector the hazards, alarms and device faults; a mediator the disputes; a landlord the
  incidents of premises they answer for; a volunteer or first responder none as such);
- registered: the user registered it;
- responsible unit: the user belongs to the unit it was routed or transferred to;
- assigned: the user, or the user's unit, holds an assignment on it (in any round, any state).

Seeing a case is not acting on it: what the user may do is rules/authority.py."""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from shouwang.cases.models import Assignment, Case, CaseKind
from shouwang.core.models import Role, User
from shouwang.core.roles import WHOLE_JURISDICTION_ROLES
from shouwang.core.selectors import node_in_scope, scope_q

# These see the cases of their jurisdiction of these kinds only: an inspector the premises'
# alarms, faults and hazards of their area, a mediator its disputes.
JURISDICTION_KINDS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.INSPECTOR: frozenset({CaseKind.HAZARD, CaseKind.ALARM, CaseKind.MAINTENANCE}),
    Role.MEDIATOR: frozenset({CaseKind.DISPUTE}),
}


def sees_whole_jurisdiction(user: User) -> bool:
    return user.is_superuser or user.role in WHOLE_JURISDICTION_ROLES


def _landlord_premises_cases_q(user: User) -> Q:
    """Cases carrying an incident (alarm, device fault) of a premises the user answers for as
    one of its alarm contacts; the devices model is named, not imported (devices is above)."""
    incidents = apps.get_model("devices", "Incident").objects.filter(
        case_id=OuterRef("pk"), premises__alarm_contacts__person=user
    )
    return Q(Exists(incidents))


def _role_part_q(user: User) -> Q | None:
    """The part of their jurisdiction the user's role reads, as a filter; None for all of it."""
    if sees_whole_jurisdiction(user):
        return None
    kinds = JURISDICTION_KINDS_BY_ROLE.get(user.role)
    if kinds is not None:
        return Q(kind__in=sorted(kinds))
    if user.role == Role.LANDLORD:
        return _landlord_premises_cases_q(user)
    return Q(pk__in=[])


def _role_reads(user: User, case: Case) -> bool:
    """`_role_part_q` on one case in memory (the landlord's clause reads the database)."""
    if sees_whole_jurisdiction(user):
        return True
    kinds = JURISDICTION_KINDS_BY_ROLE.get(user.role)
    if kinds is not None:
        return case.kind in kinds
    if user.role == Role.LANDLORD:
        return Case.objects.filter(_landlord_premises_cases_q(user), pk=case.pk).exists()
    return False


def _jurisdiction_q(user: User) -> Q:
    scope = scope_q(user, via="node")
    part = _role_part_q(user)
    return scope if part is None else scope & part


def _assigned_q(user: User) -> Q:
    """The user's own assignments and their unit's, as a filter on Assignment."""
    mine = Q(person=user)
    if user.unit_id is not None:
        mine |= Q(unit_id=user.unit_id)
    return mine


@dataclass(frozen=True)
class Clause:
    name: str
    holds: Callable[[User, Case], bool]  # on a case in memory
    q: Callable[[User], Q]  # the same condition as a filter on Case


CLAUSES: tuple[Clause, ...] = (
    Clause(
        "jurisdiction",
        holds=lambda user, case: node_in_scope(user, case.node) and _role_reads(user, case),
        q=_jurisdiction_q,
    ),
    Clause(
        "registered",
        holds=lambda user, case: case.created_by_id == user.pk,
        q=lambda user: Q(created_by=user),
    ),
    Clause(
        "responsible_unit",
        holds=lambda user, case: (
            user.unit_id is not None and case.responsible_unit_id == user.unit_id
        ),
        q=lambda user: Q(responsible_unit_id=user.unit_id) if user.unit_id else Q(pk__in=[]),
    ),
    # Last: the only clause that reads the database when tested on one case.
    Clause(
        "assigned",
        holds=lambda user, case: Assignment.objects.filter(_assigned_q(user), case=case).exists(),
        q=lambda user: Q(Exists(Assignment.objects.filter(_assigned_q(user), case=OuterRef("pk")))),
    ),
)


def _may_see_any(user: User) -> bool:
    return user.is_authenticated and user.is_active


def can_see_case(user: User, case: Case) -> bool:
    """Whether `user` sees `case` (a case in memory, with its node)."""
    return _may_see_any(user) and any(clause.holds(user, case) for clause in CLAUSES)


def visible_cases_q(user: User) -> Q:
    """The cases `user` sees, as a filter on Case."""
    if not _may_see_any(user):
        return Q(pk__in=[])
    return reduce(operator.or_, (clause.q(user) for clause in CLAUSES))
