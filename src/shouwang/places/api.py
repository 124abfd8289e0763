"""Thin API handlers: parse, call a selector or service, return."""

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from shouwang.core.api import acting_user
from shouwang.core.pagination import Pages
from shouwang.places import selectors, services
from shouwang.places.models import Premises
from shouwang.places.schemas import ContactIn, ContactOut, PremisesDetail, PremisesOut, RoomOut

router = Router(tags=["places"])


@router.get("/premises", response=list[PremisesOut])
@paginate(Pages, page_size=100)
def list_premises(
    request: HttpRequest,
    kind: str | None = None,
    node: str | None = None,
    q: str | None = None,
    incomplete_contacts: bool = False,
) -> object:
    """Premises in your jurisdiction, by kind, by node (and its subtree) and by text;
    `incomplete_contacts` keeps those without all five alarm contact roles entered."""
    return selectors.premises_list(
        user=acting_user(request),
        kind=kind,
        node_code=node,
        search=q,
        incomplete_contacts=incomplete_contacts,
    )


@router.get("/premises/{code}", response=PremisesDetail)
def get_premises(request: HttpRequest, code: str) -> PremisesDetail:
    """One premises with its rooms and the five alarm contacts as they resolve now."""
    return _detail(selectors.premises_get(user=acting_user(request), code=code))


@router.put("/premises/{code}/contacts", response=PremisesDetail)
def put_contacts(request: HttpRequest, code: str, body: list[ContactIn]) -> PremisesDetail:
    """Replaces the alarm contacts entered for a premises (grid worker, landlord, dispatcher)."""
    user = acting_user(request)
    premises = selectors.premises_get(user=user, code=code)
    services.alarm_contacts_replace(
        actor=user,
        premises=premises,
        contacts=[services.ContactSpec(c.role, c.person, c.unit, c.order) for c in body],
    )
    return _detail(selectors.premises_get(user=user, code=code))


def _detail(premises: Premises) -> PremisesDetail:
    plan = selectors.premises_alarm_contacts(premises=premises)
    return PremisesDetail(
        **PremisesOut.from_orm(premises).dict(),
        rooms=[RoomOut(number=r.number, floor=r.floor) for r in premises.rooms.all()],
        contacts=[
            ContactOut(
                role=c.role,
                name=c.name,
                person=c.person.username if c.person else None,
                unit=c.unit.code if c.unit else None,
                fallback=c.fallback,
            )
            for c in plan.contacts
        ],
        missing_contacts=[str(role) for role in plan.missing],
    )
