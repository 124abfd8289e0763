"""Access cards and the card lists of door controllers (one person, one active card).

A change to a controller's cards bumps its `list_version` and makes it due for a push; the push
loop (housing/doors.py) publishes the whole list and re-sends it until the controller
acknowledges that version. A revoked card that opens a door is an alarm: a case for the loop."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.cases.feeders import CaseChannel, CaseKind, case_open
from shouwang.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from shouwang.core.models import User
from shouwang.housing.access import premises_check
from shouwang.housing.models import AccessCard, DoorController, DoorEvent, Tenancy
from shouwang.housing.system_actor import housing_system_actor

REVOKED_CARD_CATEGORY = "suspicious"
# Re-send an unacknowledged list after 5 s, doubling up to 5 minutes.
PUSH_RETRY_FIRST = timedelta(seconds=5)
PUSH_RETRY_MAX = timedelta(minutes=5)


def _controller_of(tenancy: Tenancy) -> DoorController | None:
    return (
        DoorController.objects.select_for_update()
        .filter(premises_id=tenancy.room.premises_id)
        .order_by("pk")
        .first()
    )


def _mark_list_changed(controller: DoorController, now: datetime) -> None:
    DoorController.objects.filter(pk=controller.pk).update(
        list_version=F("list_version") + 1, next_push_at=now, push_attempts=0
    )


def card_issue(*, tenancy: Tenancy, number: str = "", now: datetime | None = None) -> AccessCard:
    """A card for the tenancy's person: the number entered, or the next of the premises'
    controller's range. The caller holds the transaction and has made sure the person holds no
    active card (a new tenancy's person cannot: cards are revoked with their tenancy; the
    partial unique constraints stand behind both). Raises Conflict (409) for an entered number
    in use at the controller."""
    now = now or timezone.now()
    controller = _controller_of(tenancy)
    number = number.strip()
    changes: dict[str, object] = {
        "list_version": F("list_version") + 1,
        "next_push_at": now,
        "push_attempts": 0,
    }
    if not number:
        number, next_card = _next_number(controller, tenancy)
        if next_card is not None:
            changes["next_card"] = next_card
    elif not number.isalnum() or len(number) > 32:
        raise InvalidInput(_("卡号只能是字母和数字。"), extra={"field": "card"})
    elif AccessCard.objects.filter(
        number=number, controller=controller, revoked_at__isnull=True
    ).exists():
        raise Conflict(_("该卡号正在使用中。"), extra={"field": "card"})
    card = AccessCard.objects.create(
        number=number, person=tenancy.person, tenancy=tenancy, controller=controller, issued_at=now
    )
    if controller is not None:  # one UPDATE: the range moves on and the list is due
        DoorController.objects.filter(pk=controller.pk).update(**changes)
    return card


def _next_number(controller: DoorController | None, tenancy: Tenancy) -> tuple[str, int | None]:
    if controller is None:
        return f"T{tenancy.pk:09d}", None
    start = max(controller.next_card, controller.card_range_start)
    if start > controller.card_range_end:
        raise Conflict(_("门禁控制器的卡号段已用完。"))
    return str(start), start + 1


def cards_revoke_for(*, tenancy: Tenancy, reason: str, now: datetime) -> int:
    """Revokes the tenancy's active cards and marks their controllers' lists changed."""
    cards = list(
        AccessCard.objects.select_for_update().filter(tenancy=tenancy, revoked_at__isnull=True)
    )
    for card in cards:
        card.revoked_at, card.revoke_reason = now, reason[:100]
        card.save(update_fields=["revoked_at", "revoke_reason"])
        if card.controller_id is not None:
            controller = DoorController.objects.select_for_update().get(pk=card.controller_id)
            _mark_list_changed(controller, now)
    return len(cards)


@transaction.atomic
def card_revoke(*, actor: User, card: AccessCard, reason: str = "") -> AccessCard:
    """Revokes a card at the landlord's request (lost, broken); a new one may then be issued."""
    premises_check(actor, card.tenancy.room.premises)
    if card.revoked_at is not None:
        raise IllegalTransition(_("该门禁卡已注销。"))
    now = timezone.now()
    cards_revoke_for(tenancy=card.tenancy, reason=reason or str(_("房东注销")), now=now)
    card.refresh_from_db()
    return card


@transaction.atomic
def card_reissue(*, actor: User, tenancy: Tenancy, number: str = "") -> AccessCard:
    premises_check(actor, tenancy.room.premises)
    if tenancy.moved_out is not None:
        raise IllegalTransition(_("该租住登记已注销。"))
    if AccessCard.objects.filter(person=tenancy.person, revoked_at__isnull=True).exists():
        raise Conflict(_("该租客已有有效门禁卡，请先注销旧卡。"))
    return card_issue(tenancy=tenancy, number=number)


@transaction.atomic
def card_list_acknowledge(*, serial: str, version: int, now: datetime | None = None) -> bool:
    """The controller confirms it holds list `version`; an older version's ack changes nothing.
    Returns whether the current list is now acknowledged."""
    controller = DoorController.objects.select_for_update().filter(serial=serial).first()
    if controller is None:
        raise NotFound()
    if version > controller.acked_version and version <= controller.list_version:
        controller.acked_version, controller.acked_at = version, now or timezone.now()
        if version == controller.list_version:
            controller.next_push_at = None
        controller.save(update_fields=["acked_version", "acked_at", "next_push_at"])
    return controller.acked_version == controller.list_version


@transaction.atomic
def card_list_pushed(*, controller: DoorController, now: datetime) -> None:
    """Records a push and when to re-send it if no acknowledgement comes (backing off)."""
    attempts = controller.push_attempts + 1
    wait = min(PUSH_RETRY_FIRST * (2 ** min(attempts - 1, 10)), PUSH_RETRY_MAX)
    DoorController.objects.filter(
        pk=controller.pk, list_version=controller.list_version, next_push_at__isnull=False
    ).update(push_attempts=attempts, last_pushed_at=now, next_push_at=now + wait)


@transaction.atomic
def door_event_record(
    *, serial: str, card_number: str, at: datetime, event_id: str, opened: bool = True
) -> DoorEvent:
    """A card at a door, as the controller reports it; the same `event_id` twice is one event.
    A revoked card that opened the door raises an alarm case."""
    controller = (
        DoorController.objects.select_related("premises__node").filter(serial=serial).first()
    )
    if controller is None:
        raise NotFound()
    existing = DoorEvent.objects.filter(controller=controller, event_id=event_id).first()
    if existing is not None:
        return existing
    active = AccessCard.objects.filter(
        number=card_number, controller=controller, revoked_at__isnull=True
    ).first()
    revoked = (
        None
        if active
        else AccessCard.objects.filter(number=card_number, controller=controller)
        .order_by("-revoked_at")
        .first()
    )
    event = DoorEvent.objects.create(
        controller=controller,
        card_number=card_number,
        card=active or revoked,
        at=at,
        opened=opened,
        event_id=event_id,
    )
    if revoked is not None and opened:
        premises = controller.premises
        event.alarm_case = case_open(
            actor=housing_system_actor(premises.node),
            category_code=REVOKED_CARD_CATEGORY,
            description=str(
                _("已注销的门禁卡 %(card)s 在 %(premises)s 开门。")
                % {"card": card_number, "premises": premises.name}
            ),
            channel=CaseChannel.DEVICE,
            kind=CaseKind.ALARM,
            node=premises.node,
            lat=premises.lat,
            lng=premises.lng,
            address=premises.address or premises.name,
            source="housing.door_event",
            source_ref=str(event.pk),
        ).case
        event.save(update_fields=["alarm_case"])
    return event


def card_list_payload(controller: DoorController) -> dict[str, object]:
    cards = AccessCard.objects.filter(controller=controller, revoked_at__isnull=True)
    return {
        "serial": controller.serial,
        "version": controller.list_version,
        "cards": sorted(cards.values_list("number", flat=True)),
    }
