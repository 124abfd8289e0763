"""Yearly inspection plans: generated from the premises of a node by kind and stars."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import Conflict, InvalidInput, PermissionDeniedError
from shouwang.core.models import Role, User
from shouwang.core.selectors import node_get
from shouwang.inspections.models import InspectionPlan, PlanEntry
from shouwang.places.models import Premises, PremisesKind

PLANNING_ROLES = frozenset({Role.INSPECTOR, Role.LEADER, Role.ADMIN})
# Visits a year: rental houses and 九小场所 twice (the campaigns' 65,000 unit inspections a year
# over Yiwu's premises), others once; a unit of one or two stars twice more.
BASE_VISITS: dict[str, int] = {PremisesKind.RENTAL_HOUSE: 2, PremisesKind.NINE_SMALL: 2}
LOW_STARS_EXTRA = 2


def plan_visits(*, kind: str, stars: int | None) -> int:
    return BASE_VISITS.get(kind, 1) + (LOW_STARS_EXTRA if stars is not None and stars <= 2 else 0)


@transaction.atomic
def plan_generate(*, actor: User, node_code: str, year: int) -> InspectionPlan:
    """A plan of every premises under the node (404 outside the actor's area). 409 when the
    node already has a plan for the year."""
    if actor.role not in PLANNING_ROLES:
        raise PermissionDeniedError()
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("年度无效。"), extra={"field": "year"})
    node = node_get(user=actor, code=node_code)
    try:
        with transaction.atomic():
            plan = InspectionPlan.objects.create(
                node=node, year=year, name=f"{node.name}{year}年检查计划", created_by=actor
            )
    except IntegrityError as exc:
        raise Conflict(_("该辖区本年度已有检查计划。"), extra={"field": "year"}) from exc
    premises = Premises.objects.filter(node__path__startswith=node.path).values_list(
        "pk", "kind", "stars"
    )
    PlanEntry.objects.bulk_create(
        (
            PlanEntry(plan=plan, premises_id=pk, visits=plan_visits(kind=kind, stars=stars))
            for pk, kind, stars in premises.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )
    return plan
