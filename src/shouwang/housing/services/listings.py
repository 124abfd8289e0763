"""Vacancy listings: a landlord offers a vacant room; a tenancy starting closes the listing
(tenancies.py), as does the landlord."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import Conflict, IllegalTransition, InvalidInput
from shouwang.core.models import User
from shouwang.housing.access import premises_check
from shouwang.housing.models import Listing, ListingState, Tenancy
from shouwang.places.models import Room

MAX_PHOTOS = 9


def listing_publish(
    *,
    actor: User,
    room: Room,
    rent: int,
    available_from: date,
    area_m2: Decimal | None = None,
    rules: str = "",
    photos: list[str] | None = None,
) -> Listing:
    """Publishes a vacant room. Raises Conflict (409) when someone lives there or the room is
    already listed; InvalidInput (422) for a rent or photo list out of range."""
    premises_check(actor, room.premises)
    if rent <= 0 or rent > 1_000_000:
        raise InvalidInput(_("月租须为正数。"), extra={"field": "rent"})
    photos = [p for p in (photos or []) if p.startswith(("https://", "/media/"))][:MAX_PHOTOS]
    if Tenancy.objects.filter(room=room, moved_out__isnull=True).exists():
        raise Conflict(_("该房间有人在住，不能发布招租。"))
    area = area_m2 if area_m2 is not None else getattr(getattr(room, "spec", None), "area_m2", 0)
    try:
        with transaction.atomic():
            return Listing.objects.create(
                room=room,
                rent=rent,
                area_m2=area,
                rules=rules[:500],
                photos=photos,
                available_from=available_from,
                published_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(_("该房间已在招租中。")) from exc


@transaction.atomic
def listing_close(*, actor: User, listing: Listing) -> Listing:
    premises_check(actor, listing.room.premises)
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    if locked.state != ListingState.OPEN:
        raise IllegalTransition(_("该招租已关闭。"))
    locked.state, locked.closed_at = ListingState.CLOSED, timezone.now()
    locked.save(update_fields=["state", "closed_at"])
    return locked
