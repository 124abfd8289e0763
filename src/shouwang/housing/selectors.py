"""Reads of the housing app, each scoped to the acting user (access.py). The police and grid
staff queries — who lives in a room, where a person lives and lived, floating population
counts — leave an audit record each, whether they found anything or not."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import HttpRequest

from shouwang.core.errors import NotFound
from shouwang.core.models import AuditAction, JurisdictionNode, User
from shouwang.core.selectors import scope_q
from shouwang.core.services.audit import audit_record
from shouwang.core.services.pii import pii_lookup_hash
from shouwang.housing.access import premises_q, query_check
from shouwang.housing.models import (
    AccessCard,
    ArrivalNotice,
    DoorEvent,
    Listing,
    ListingState,
    PopulationTally,
    Tenancy,
)
from shouwang.housing.rules import over_occupied
from shouwang.places.models import Premises, PremisesKind, Room


def managed_premises(*, user: User) -> QuerySet[Premises]:
    """The rental premises a landlord manages (grid staff: those in their jurisdiction)."""
    return (
        Premises.objects.filter(premises_q(user)).select_related("node").order_by("code").distinct()
    )


def premises_for_actor(*, user: User, premises_id: int) -> Premises:
    premises = managed_premises(user=user).filter(pk=premises_id).first()
    if premises is None:
        raise NotFound()
    return premises


def room_for_actor(*, user: User, room_id: int) -> Room:
    """A room of a premises the user manages or oversees; NotFound (404) otherwise."""
    room = (
        Room.objects.filter(premises_q(user, via="premises"), pk=room_id)
        .select_related("premises__node", "spec")
        .first()
    )
    if room is None:
        raise NotFound()
    return room


def tenancy_for_actor(*, user: User, tenancy_id: int) -> Tenancy:
    tenancy = (
        Tenancy.objects.filter(premises_q(user, via="room__premises"), pk=tenancy_id)
        .select_related("room__premises__node", "person")
        .first()
    )
    if tenancy is None:
        raise NotFound()
    return tenancy


def card_for_actor(*, user: User, card_id: int) -> AccessCard:
    card = (
        AccessCard.objects.filter(premises_q(user, via="tenancy__room__premises"), pk=card_id)
        .select_related("tenancy__room__premises__node")
        .first()
    )
    if card is None:
        raise NotFound()
    return card


def listing_for_actor(*, user: User, listing_id: int) -> Listing:
    listing = (
        Listing.objects.filter(premises_q(user, via="room__premises"), pk=listing_id)
        .select_related("room__premises__node")
        .first()
    )
    if listing is None:
        raise NotFound()
    return listing


@dataclass(frozen=True)
class RoomState:
    room: Room
    tenancies: list[Tenancy]
    area_m2: Decimal
    beds: int
    listing: Listing | None

    @property
    def state(self) -> str:
        if not self.tenancies:
            return "listed" if self.listing else "vacant"
        if over_occupied(people=len(self.tenancies), area_m2=self.area_m2):
            return "over_occupied"
        return "occupied"


def _current_tenancies() -> Prefetch:  # type: ignore[type-arg]
    active_cards = Prefetch(
        "cards", queryset=AccessCard.objects.filter(revoked_at__isnull=True), to_attr="active"
    )
    return Prefetch(
        "tenancies",
        queryset=Tenancy.objects.filter(moved_out__isnull=True)
        .select_related("person")
        .prefetch_related(active_cards)
        .order_by("moved_in", "pk"),
        to_attr="current",
    )


def room_state(*, room: Room) -> RoomState:
    current: list[Tenancy] = list(
        Tenancy.objects.filter(room=room, moved_out__isnull=True)
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "cards",
                queryset=AccessCard.objects.filter(revoked_at__isnull=True),
                to_attr="active",
            )
        )
        .order_by("moved_in", "pk")
    )
    spec = getattr(room, "spec", None)
    return RoomState(
        room=room,
        tenancies=current,
        area_m2=spec.area_m2 if spec else Decimal(0),
        beds=spec.beds if spec else 0,
        listing=Listing.objects.filter(room=room, state=ListingState.OPEN).first(),
    )


def premises_rooms(*, premises: Premises) -> list[RoomState]:
    """Every room of a premises with its current tenants, in two queries."""
    listings = {
        listing.room_id: listing
        for listing in Listing.objects.filter(room__premises=premises, state=ListingState.OPEN)
    }
    rooms = (
        Room.objects.filter(premises=premises)
        .select_related("spec")
        .prefetch_related(_current_tenancies())
        .order_by("floor", "number")
    )
    states = []
    for room in rooms:
        spec = getattr(room, "spec", None)
        states.append(
            RoomState(
                room=room,
                tenancies=room.current,  # type: ignore[attr-defined]
                area_m2=spec.area_m2 if spec else Decimal(0),
                beds=spec.beds if spec else 0,
                listing=listings.get(room.pk),
            )
        )
    return states


def _audit(user: User, request: HttpRequest | None, what: str, **detail: object) -> None:
    audit_record(
        action=AuditAction.HOUSING_LOOKUP,
        actor=user,
        request=request,
        detail={"query": what, **detail},
    )


def person_tenancies(
    *,
    user: User,
    id_number: str = "",
    nationality: str = "CHN",
    passport_number: str = "",
    request: HttpRequest | None = None,
) -> list[Tenancy]:
    """Where a person lives and lived, in the user's jurisdiction, newest first; found by the
    keyed hash of the ID (or passport) number, never by decrypting. Audited."""
    query_check(user)
    if id_number.strip():
        person_q = Q(person__id_number_hash=pii_lookup_hash(field="id_number", value=id_number))
    else:
        digest = pii_lookup_hash(field="passport_number", value=passport_number)
        person_q = Q(person__nationality=nationality.upper(), person__passport_number_hash=digest)
    tenancies = list(
        Tenancy.objects.filter(person_q, scope_q(user, via="room__premises__node"))
        .select_related("room__premises__node", "person")
        .order_by("-moved_in", "-pk")[:200]
    )
    _audit(
        user,
        request,
        "person",
        found=len(tenancies),
        person=tenancies[0].person_id if tenancies else None,
    )
    return tenancies


def room_residents(
    *, user: User, room_id: int, request: HttpRequest | None = None
) -> list[Tenancy]:
    """Who lives in a room now and who lived there before, newest first. Audited."""
    query_check(user)
    room = Room.objects.filter(scope_q(user, via="premises__node"), pk=room_id).first()
    if room is None:
        raise NotFound()
    tenancies = list(
        Tenancy.objects.filter(room=room).select_related("person").order_by("-moved_in", "-pk")
    )
    _audit(user, request, "room", room=room.pk, found=len(tenancies))
    return tenancies


@dataclass(frozen=True)
class PopulationCount:
    key: str
    name: str
    people: int


def floating_population(
    *, user: User, by: str = "town", request: HttpRequest | None = None
) -> list[PopulationCount]:
    """People living in rented rooms now, by town, village or nationality, in the user's
    jurisdiction, from the tallies kept at registration (a few hundred rows, not the
    tenancies). Audited."""
    query_check(user)
    tallies = PopulationTally.objects.filter(scope_q(user, via="node"), people__gt=0)
    if by == "nationality":
        rows = tallies.values("nationality").annotate(n=Sum("people")).order_by("-n")
        result = [PopulationCount(r["nationality"], r["nationality"], r["n"]) for r in rows]
    else:
        # A node path holds the codes from the city down: /city/town/village/grid/.
        depth = {"town": 1, "village": 2}.get(by, 1)
        counts: dict[str, int] = {}
        for path, n in tallies.values_list("node__path", "people"):
            parts = path.strip("/").split("/")
            if len(parts) > depth:
                counts[parts[depth]] = counts.get(parts[depth], 0) + n
        names = dict(JurisdictionNode.objects.filter(code__in=counts).values_list("code", "name"))
        result = [
            PopulationCount(code, names.get(code, code), n)
            for code, n in sorted(counts.items(), key=lambda kv: -kv[1])
        ]
    _audit(user, request, "population", by=by)
    return result


@dataclass(frozen=True)
class RegistrationRate:
    registered: int
    on_time: int
    cancelled: int
    cancelled_on_time: int
    pending_arrivals: int

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.registered, 4) if self.registered else None

    @property
    def cancelled_on_time_rate(self) -> float | None:
        return round(self.cancelled_on_time / self.cancelled, 4) if self.cancelled else None


def registration_rate(*, user: User, since: date) -> RegistrationRate:
    """How many registrations since `since` were made on time (within the registration period)
    and how many move-outs were cancelled within 3 working days, in the user's reach."""
    scope = premises_q(user, via="room__premises")
    tenancies = Tenancy.objects.filter(scope, moved_in__gte=since)
    counts = tenancies.aggregate(
        registered=Count("pk"),
        late=Count("pk", filter=Q(registered_late=True)),
        cancelled=Count("pk", filter=Q(moved_out__isnull=False)),
        cancelled_late=Count("pk", filter=Q(cancelled_late=True)),
    )
    pending = ArrivalNotice.objects.filter(scope, tenancy__isnull=True).count()
    return RegistrationRate(
        registered=counts["registered"],
        on_time=counts["registered"] - counts["late"],
        cancelled=counts["cancelled"],
        cancelled_on_time=counts["cancelled"] - counts["cancelled_late"],
        pending_arrivals=pending,
    )


def tenancy_door_events(*, tenancy: Tenancy, limit: int = 50) -> list[DoorEvent]:
    """The door events by the tenancy person's cards (the tenant's history)."""
    return list(
        DoorEvent.objects.filter(card__person=tenancy.person)
        .select_related("controller")
        .order_by("-at")[:limit]
    )


@dataclass(frozen=True)
class VacancyFilter:
    node_code: str = ""
    min_rent: int | None = None
    max_rent: int | None = None
    min_area: Decimal | None = None
    available_by: date | None = None


def vacancies_public(*, filters: VacancyFilter) -> QuerySet[Listing]:
    """Open listings for anyone, without login. Holds nothing personal: no landlord, no
    phone."""
    listings = Listing.objects.filter(
        state=ListingState.OPEN, room__premises__kind=PremisesKind.RENTAL_HOUSE
    ).select_related("room__premises__node")
    if filters.node_code:
        listings = listings.filter(room__premises__node__path__contains=f"/{filters.node_code}/")
    if filters.min_rent is not None:
        listings = listings.filter(rent__gte=filters.min_rent)
    if filters.max_rent is not None:
        listings = listings.filter(rent__lte=filters.max_rent)
    if filters.min_area is not None:
        listings = listings.filter(area_m2__gte=filters.min_area)
    if filters.available_by is not None:
        listings = listings.filter(available_from__lte=filters.available_by)
    return listings.order_by("rent", "pk")
