"""Yearly inspection plans: generated from the premises of a node by kind and stars."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils.timezone import get_default_timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import Conflict, InvalidInput, PermissionDeniedError
from shouwang.core.models import User
from shouwang.core.roles import INSPECTION_PLAN_ROLES
from shouwang.core.selectors import node_get
from shouwang.inspections.models import Inspection, InspectionPlan, PlanEntry
from shouwang.places.models import Premises, PremisesKind

SHANGHAI = get_default_timezone()  # settings.TIME_ZONE
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
    if actor.role not in INSPECTION_PLAN_ROLES:
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
    premises = Premises.objects.filter(node__path__startswith=node.path)
    made = dict(
        Inspection.objects.filter(premises__in=premises, **_year_range(year))
        .order_by()
        .values("premises_id")
        .annotate(n=Count("pk"))
        .values_list("premises_id", "n")
    )
    PlanEntry.objects.bulk_create(
        (
            PlanEntry(
                plan=plan,
                premises_id=pk,
                visits=plan_visits(kind=kind, stars=stars),
                made=min(made.get(pk, 0), 32767),
            )
            for pk, kind, stars in premises.values_list("pk", "kind", "stars").iterator(
                chunk_size=5000
            )
        ),
        batch_size=5000,
    )
    return plan


def _year_range(year: int) -> dict[str, datetime]:
    return {
        "created_at__gte": datetime(year, 1, 1, tzinfo=SHANGHAI),
        "created_at__lt": datetime(year + 1, 1, 1, tzinfo=SHANGHAI),
    }


def plan_entries_count_visit(*, inspection: Inspection) -> None:
    """Counts a recorded inspection on the premises' entries in plans of its year."""
    year = inspection.created_at.astimezone(SHANGHAI).year
    PlanEntry.objects.filter(premises_id=inspection.premises_id, plan__year=year).update(
        made=F("made") + 1
    )
