"""Who sees a case: the one rule, stated once as a table of clauses. Each clause gives the same
condition twice, side by side — as a test of one case already in memory (`can_see_case`, used
by the step kernel after it locks the row) and as a filter on Case (`visible_cases_q`, used by
every selector). tests/test_visibility.py checks that both readings agree for every user of
the test city on every kind of case.

A user sees a case when any clause holds; an inactive or anonymous user sees none:
- in jurisdiction: the case's node lies in the user's subtree;
- registered: the user registered it;
- responsible unit: the user belongs to the unit it was routed or transferred to;
- assigned: the user, or the user's unit, holds an assignment on it (in any round, any state).

Seeing a case is not acting on it: what the user may do is rules/authority.py."""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from django.db.models import Exists, OuterRef, Q

from shouwang.cases.models import Assignment, Case
from shouwang.core.models import User
from shouwang.core.selectors import node_in_scope, scope_q


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
        holds=lambda user, case: node_in_scope(user, case.node),
        q=lambda user: scope_q(user, via="node"),
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
