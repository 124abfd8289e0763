"""Thin API handlers of rental housing: parse, call a selector or a service, answer."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from shouwang.core.api import acting_user
from shouwang.core.errors import InvalidInput
from shouwang.core.pagination import MAX_PAGE
from shouwang.housing import selectors
from shouwang.housing.models import Listing, Tenancy
from shouwang.housing.schemas import (
    ArrivalIn,
    CountOut,
    DoorEventOut,
    EndIn,
    EndOut,
    ListingIn,
    LookupIn,
    RateOut,
    RegisteredOut,
    RoomOut,
    TenancyIn,
    TenancyRecordOut,
    TenantOut,
    VacancyOut,
)
from shouwang.housing.services.cards import card_reissue, card_revoke
from shouwang.housing.services.listings import listing_close, listing_publish
from shouwang.housing.services.tenancies import arrival_report, tenancy_end, tenancy_register

router = Router(tags=["housing"])
VACANCY_PAGE = 50
MAX_RENT = 1_000_000  # yuan a month: far above any room, far below any integer limit


def tenant_out(tenancy: Tenancy) -> TenantOut:
    person = tenancy.person
    cards = getattr(tenancy, "active", None)
    if cards is None:
        cards = list(tenancy.cards.filter(revoked_at__isnull=True))
    return TenantOut(
        tenancy=tenancy.pk,
        name=person.full_name_masked,
        id_number=person.id_number_masked,
        passport_number=person.passport_number_masked,
        nationality=person.nationality,
        phone=person.phone_masked,
        moved_in=tenancy.moved_in,
        expected_end=tenancy.expected_end,
        moved_out=tenancy.moved_out,
        card=cards[0].number if cards else None,
        over_occupancy=tenancy.over_occupancy,
    )


def record_out(tenancy: Tenancy) -> TenancyRecordOut:
    premises = tenancy.room.premises
    return TenancyRecordOut(
        tenancy=tenancy.pk,
        room=tenancy.room_id,
        room_number=tenancy.room.number,
        premises=premises.name,
        premises_code=premises.code,
        node=premises.node.code,
        name=tenancy.person.full_name_masked,
        id_number=tenancy.person.id_number_masked or tenancy.person.passport_number_masked,
        moved_in=tenancy.moved_in,
        moved_out=tenancy.moved_out,
    )


@router.post("/tenancies", response={201: RegisteredOut})
def register_tenancy(request: HttpRequest, payload: TenancyIn) -> Status[RegisteredOut]:
    """Registers a tenant in a room (a landlord of the premises or its grid worker) and issues
    the access card. 422 for an ID number failing GB 11643; 409 when the person lives elsewhere."""
    user = acting_user(request)
    room = selectors.room_for_actor(user=user, room_id=payload.room)
    done = tenancy_register(
        actor=user,
        room=room,
        name=payload.name,
        phone=payload.phone,
        moved_in=payload.moved_in,
        id_number=payload.id_number,
        nationality=payload.nationality,
        passport_number=payload.passport_number,
        expected_end=payload.expected_end,
        card_number=payload.card,
    )
    tenancy = done.tenancy
    return Status(
        201,
        RegisteredOut(
            id=tenancy.pk,
            card=done.card_number,
            over_occupancy=tenancy.over_occupancy,
            registered_late=tenancy.registered_late,
        ),
    )


@router.post("/tenancies/{tenancy_id}/end", response=EndOut)
def end_tenancy(request: HttpRequest, tenancy_id: int, payload: EndIn) -> EndOut:
    """Cancels a tenancy on moving out; the person's card is revoked."""
    user = acting_user(request)
    tenancy = selectors.tenancy_for_actor(user=user, tenancy_id=tenancy_id)
    revoked_before = tenancy.cards.filter(revoked_at__isnull=True).count()
    ended = tenancy_end(actor=user, tenancy=tenancy, moved_out=payload.moved_out)
    return EndOut(
        id=ended.pk,
        moved_out=payload.moved_out,
        cards_revoked=revoked_before,
        cancelled_late=ended.cancelled_late,
    )


@router.get("/tenancies/{tenancy_id}/door-events", response=list[DoorEventOut])
def tenancy_door_events(request: HttpRequest, tenancy_id: int) -> list[DoorEventOut]:
    """The tenant's door history, by their cards."""
    tenancy = selectors.tenancy_for_actor(user=acting_user(request), tenancy_id=tenancy_id)
    return [
        DoorEventOut(
            id=e.pk,
            at=e.at,
            controller=e.controller.serial,
            opened=e.opened,
            alarm_case=e.alarm_case_id,
        )
        for e in selectors.tenancy_door_events(tenancy=tenancy)
    ]


@router.post("/cards/{card_id}/revoke", response=TenantOut)
def revoke_card(request: HttpRequest, card_id: int) -> TenantOut:
    """Revokes a card on the landlord's request (lost or broken)."""
    user = acting_user(request)
    card = selectors.card_for_actor(user=user, card_id=card_id)
    card_revoke(actor=user, card=card)
    return tenant_out(card.tenancy)


@router.post("/tenancies/{tenancy_id}/card", response={201: TenantOut})
def reissue_card(request: HttpRequest, tenancy_id: int) -> Status[TenantOut]:
    """A new card for a current tenant whose card was revoked (lost, broken)."""
    user = acting_user(request)
    tenancy = selectors.tenancy_for_actor(user=user, tenancy_id=tenancy_id)
    card_reissue(actor=user, tenancy=tenancy)
    return Status(201, tenant_out(tenancy))


@router.post("/listings/{listing_id}/close", response=VacancyOut)
def close_listing(request: HttpRequest, listing_id: int) -> VacancyOut:
    user = acting_user(request)
    listing = selectors.listing_for_actor(user=user, listing_id=listing_id)
    return vacancy_out(listing_close(actor=user, listing=listing))


@router.get("/rooms/{room_id}", response=RoomOut)
def get_room(request: HttpRequest, room_id: int) -> RoomOut:
    """A room's state and current tenants (masked)."""
    room = selectors.room_for_actor(user=acting_user(request), room_id=room_id)
    state = selectors.room_state(room=room)
    return RoomOut(
        id=room.pk,
        premises=room.premises.name,
        number=room.number,
        floor=room.floor,
        area_m2=state.area_m2,
        beds=state.beds,
        state=state.state,
        tenants=[tenant_out(t) for t in state.tenancies],
        listing=state.listing.pk if state.listing else None,
    )


@router.post("/arrivals", response={201: dict})
def report_arrival(request: HttpRequest, payload: ArrivalIn) -> Status[dict[str, object]]:
    """Notes an arrival not yet registered; the reminder worker follows it up."""
    user = acting_user(request)
    room = selectors.room_for_actor(user=user, room_id=payload.room)
    notice = arrival_report(actor=user, room=room, arrived_on=payload.arrived_on, note=payload.note)
    return Status(201, {"id": notice.pk, "due_on": notice.due_on.isoformat()})


@router.post("/listings", response={201: VacancyOut})
def publish_listing(request: HttpRequest, payload: ListingIn) -> Status[VacancyOut]:
    user = acting_user(request)
    room = selectors.room_for_actor(user=user, room_id=payload.room)
    listing = listing_publish(
        actor=user,
        room=room,
        rent=payload.rent,
        available_from=payload.available_from,
        area_m2=payload.area_m2,
        rules=payload.rules,
        photos=payload.photos,
    )
    return Status(201, vacancy_out(listing))


def vacancy_out(listing: Listing) -> VacancyOut:
    premises = listing.room.premises
    node = premises.node
    town = node.path.strip("/").split("/")
    return VacancyOut(
        id=listing.pk,
        town=town[1] if len(town) > 1 else node.code,
        node=node.name,
        premises=premises.name,
        room=listing.room.number,
        rent=listing.rent,
        area_m2=listing.area_m2,
        rules=listing.rules,
        photos=[str(p) for p in listing.photos],
        available_from=listing.available_from,
    )


class VacancyPage(Schema):
    items: list[VacancyOut]
    count: int
    page: int


@router.get("/vacancies", response=VacancyPage, auth=None)
def list_vacancies(
    request: HttpRequest,
    node: str = "",
    min_rent: int | None = None,
    max_rent: int | None = None,
    page: int = 1,
) -> VacancyPage:
    """Vacant rooms for anyone, no login: no landlord, no phone number."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(_("页码超出范围。"), extra={"field": "page"})
    for field, rent in (("min_rent", min_rent), ("max_rent", max_rent)):
        if rent is not None and not 0 <= rent <= MAX_RENT:
            raise InvalidInput(_("租金超出范围。"), extra={"field": field})
    filters = selectors.VacancyFilter(node_code=node, min_rent=min_rent, max_rent=max_rent)
    listings = selectors.vacancies_public(filters=filters)
    start = (page - 1) * VACANCY_PAGE
    return VacancyPage(
        items=[vacancy_out(x) for x in listings[start : start + VACANCY_PAGE]],
        count=listings.count(),
        page=page,
    )


@router.post("/people/lookup", response=list[TenancyRecordOut])
def lookup_person(request: HttpRequest, payload: LookupIn) -> list[TenancyRecordOut]:
    """Where a person lives and lived (police and grid staff), by ID or passport number.
    Audited."""
    tenancies = selectors.person_tenancies(
        user=acting_user(request),
        id_number=payload.id_number,
        nationality=payload.nationality,
        passport_number=payload.passport_number,
        request=request,
    )
    return [record_out(t) for t in tenancies]


@router.get("/rooms/{room_id}/residents", response=list[TenancyRecordOut])
def room_residents(request: HttpRequest, room_id: int) -> list[TenancyRecordOut]:
    """Who lives in a room now and who lived there before (police and grid staff). Audited."""
    tenancies = selectors.room_residents(
        user=acting_user(request), room_id=room_id, request=request
    )
    return [record_out(t) for t in tenancies]


@router.get("/population", response=list[CountOut])
def floating_population(request: HttpRequest, by: str = "town") -> list[CountOut]:
    """People living in rented rooms now, by town, village or nationality. Audited."""
    counts = selectors.floating_population(user=acting_user(request), by=by, request=request)
    return [CountOut(key=c.key, name=c.name, people=c.people) for c in counts]


@router.get("/registration-rate", response=RateOut)
def registration_rate(request: HttpRequest, days: int = 30) -> RateOut:
    """Registrations on time and move-outs cancelled in time, over the last `days` days."""
    since = timezone.localdate() - timedelta(days=max(1, min(days, 366)))
    rate = selectors.registration_rate(user=acting_user(request), since=since)
    return RateOut(
        since=since,
        registered=rate.registered,
        on_time=rate.on_time,
        on_time_rate=rate.on_time_rate,
        cancelled=rate.cancelled,
        cancelled_on_time=rate.cancelled_on_time,
        cancelled_on_time_rate=rate.cancelled_on_time_rate,
        pending_arrivals=rate.pending_arrivals,
    )
