"""Registering a tenant on arrival and cancelling on leaving (人来登记、人走注销).

`tenancy_register` in one transaction: the person (found by keyed hash or created), the tenancy,
the access card, the controller's card list marked for a push, any arrival notice fulfilled, the
room's listing closed, and — over the occupancy limit — the flag and a hazard case through the
loop's feeders."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.cases.feeders import OPEN_STATES, CaseChannel, CaseKind, case_note, case_open
from shouwang.core.errors import Conflict, IllegalTransition, InvalidInput
from shouwang.core.models import User
from shouwang.core.pii.masking import mask_generic
from shouwang.housing.access import premises_check
from shouwang.housing.models import ArrivalNotice, Listing, ListingState, RoomSpec, Tenancy
from shouwang.housing.rules import cancellation_due, over_occupied, registration_due
from shouwang.housing.services.cards import card_issue, cards_revoke_for
from shouwang.housing.services.people import CHINA, person_upsert
from shouwang.housing.services.tallies import tally_add
from shouwang.places.models import Room

HAZARD_CATEGORY = "rental_fire_hazard"


def local_today(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


def room_masked(room: Room) -> str:
    """A room named without saying which building: enough for the person at the desk to ask."""
    return mask_generic(f"{room.premises.name}{room.number}")


@dataclass(frozen=True)
class Registration:
    tenancy: Tenancy
    card_number: str


def tenancy_register(
    *,
    actor: User,
    room: Room,
    name: str,
    phone: str,
    moved_in: date,
    id_number: str = "",
    nationality: str = CHINA,
    passport_number: str = "",
    expected_end: date | None = None,
    card_number: str = "",
    now: datetime | None = None,
) -> Registration:
    """Registers `name` in `room` from `moved_in`. Raises NotFound (404) when `actor` may not
    manage the room's premises, InvalidInput (422) for a bad ID number, phone or date, and
    Conflict (409) when the person already lives somewhere (naming the room, masked)."""
    premises_check(actor, room.premises)
    now = now or timezone.now()
    today = local_today(now)
    if moved_in > today:
        raise InvalidInput(_("入住日期不能晚于今天。"), extra={"field": "moved_in"})
    if expected_end is not None and expected_end < moved_in:
        raise InvalidInput(_("预计退租日期不能早于入住日期。"), extra={"field": "expected_end"})
    try:
        with transaction.atomic():
            return _register(
                actor=actor,
                room=room,
                name=name,
                phone=phone,
                moved_in=moved_in,
                id_number=id_number,
                nationality=nationality,
                passport_number=passport_number,
                expected_end=expected_end,
                card_number=card_number,
                now=now,
            )
    except IntegrityError as exc:  # a concurrent registration of the same person or card
        raise Conflict(_("该租客或卡号刚刚被登记，请刷新后重试。")) from exc


def _register(
    *,
    actor: User,
    room: Room,
    name: str,
    phone: str,
    moved_in: date,
    id_number: str,
    nationality: str,
    passport_number: str,
    expected_end: date | None,
    card_number: str,
    now: datetime,
) -> Registration:
    person = person_upsert(
        name=name,
        phone=phone,
        id_number=id_number,
        nationality=nationality,
        passport_number=passport_number,
    )
    current = (
        Tenancy.objects.select_for_update()
        .select_related("room__premises")
        .filter(person=person, moved_out__isnull=True)
        .first()
    )
    if current is not None:
        where = room_masked(current.room)
        raise Conflict(
            _("该租客已在 %(room)s 登记在住，请先办理退租。") % {"room": where},
            extra={"room": where},
        )
    tenancy = Tenancy.objects.create(
        room=room,
        person=person,
        moved_in=moved_in,
        expected_end=expected_end,
        registered_at=now,
        registered_by=actor,
        registered_late=local_today(now) > registration_due(moved_in),
    )
    tally_add(node_id=room.premises.node_id, nationality=person.nationality, delta=1)
    card = card_issue(tenancy=tenancy, number=card_number, now=now)
    ArrivalNotice.objects.filter(room=room, tenancy__isnull=True, arrived_on__lte=moved_in).update(
        tenancy=tenancy
    )
    Listing.objects.filter(room=room, state=ListingState.OPEN).update(
        state=ListingState.CLOSED, closed_at=now
    )
    _occupancy_check(actor=actor, tenancy=tenancy)
    return Registration(tenancy=tenancy, card_number=card.number)


def _occupancy_check(*, actor: User, tenancy: Tenancy) -> None:
    """Over the limit, the registration stands (people must be registered where they live) but
    is flagged, and the room's hazard goes to the grid worker through the loop."""
    room = tenancy.room
    spec = RoomSpec.objects.filter(room=room).first()
    living = list(
        Tenancy.objects.filter(room=room, moved_out__isnull=True).select_related("hazard_case")
    )
    area = spec.area_m2 if spec else Decimal(0)
    if not over_occupied(people=len(living), area_m2=area):
        return
    tenancy.over_occupancy = True
    open_case = next(
        (t.hazard_case for t in living if t.hazard_case and t.hazard_case.state in OPEN_STATES),
        None,
    )
    text = _("%(room)s 住 %(people)s 人（面积 %(area)s m²），超出出租房消防安全规定。") % {
        "room": f"{room.premises.name}{room.number}",
        "people": len(living),
        "area": area,
    }
    if open_case is not None:
        case_note(case=open_case, actor=actor, text=str(text), source="housing.tenancy")
    else:
        premises = room.premises
        open_case = case_open(
            actor=actor,
            category_code=HAZARD_CATEGORY,
            description=str(text),
            channel=CaseChannel.API,
            kind=CaseKind.HAZARD,
            node=premises.node,
            lat=premises.lat,
            lng=premises.lng,
            address=premises.address or premises.name,
            source="housing.tenancy",
            source_ref=str(tenancy.pk),
        ).case
    tenancy.hazard_case = open_case
    tenancy.save(update_fields=["over_occupancy", "hazard_case"])


@transaction.atomic
def tenancy_end(
    *, actor: User, tenancy: Tenancy, moved_out: date, now: datetime | None = None
) -> Tenancy:
    """Cancels the tenancy (人走注销): the room frees up and the person's card is revoked and
    taken off the controller. Raises IllegalTransition (409) when already ended."""
    premises_check(actor, tenancy.room.premises)
    now = now or timezone.now()
    locked = (
        Tenancy.objects.select_for_update(of=("self",)).select_related("person").get(pk=tenancy.pk)
    )
    if locked.moved_out is not None:
        raise IllegalTransition(_("该租住登记已注销。"))
    if moved_out < locked.moved_in or moved_out > local_today(now):
        raise InvalidInput(_("退租日期须在入住日期与今天之间。"), extra={"field": "moved_out"})
    locked.moved_out = moved_out
    locked.cancelled_at = now
    locked.cancelled_late = local_today(now) > cancellation_due(moved_out)
    locked.save(update_fields=["moved_out", "cancelled_at", "cancelled_late"])
    tally_add(
        node_id=tenancy.room.premises.node_id, nationality=locked.person.nationality, delta=-1
    )
    cards_revoke_for(tenancy=locked, reason=str(_("退租")), now=now)
    return locked


@transaction.atomic
def arrival_report(
    *, actor: User, room: Room, arrived_on: date, note: str = "", now: datetime | None = None
) -> ArrivalNotice:
    """Notes someone who arrived and is not yet registered: due within the registration
    period, then reminded and escalated by the worker."""
    premises_check(actor, room.premises)
    if arrived_on > local_today(now):
        raise InvalidInput(_("到达日期不能晚于今天。"), extra={"field": "arrived_on"})
    return ArrivalNotice.objects.create(
        room=room,
        arrived_on=arrived_on,
        due_on=registration_due(arrived_on),
        note=note[:200],
        reported_by=actor,
    )
