"""The rental registry: premises with their landlords and managers, rooms with area and beds,
door controllers. Used by the Excel import, the landlord's page, the demo and tests."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import Conflict, InvalidInput
from shouwang.core.models import Role, User
from shouwang.housing.models import DoorController, ManagerRole, PremisesManager, RoomSpec
from shouwang.places.models import Premises, Room
from shouwang.places.services import room_ensure

MAX_BEDS = 50


@transaction.atomic
def manager_add(
    *, premises: Premises, user: User, role: ManagerRole = ManagerRole.LANDLORD
) -> PremisesManager:
    """Makes `user` (a landlord account) a landlord or manager of the premises; idempotent."""
    if user.role != Role.LANDLORD:
        raise InvalidInput(_("只有房东/物业账号可以管理出租房。"), extra={"field": "user"})
    manager, _created = PremisesManager.objects.get_or_create(
        premises=premises, user=user, defaults={"role": role}
    )
    return manager


@transaction.atomic
def rental_room_ensure(
    *,
    premises: Premises,
    number: str,
    floor: int | None = None,
    area_m2: Decimal | None = None,
    beds: int | None = None,
) -> Room:
    """The room, created on first mention, with its area and beds set when given."""
    if area_m2 is not None and (area_m2 < 0 or area_m2 > 10000):
        raise InvalidInput(_("面积须在 0 到 10000 平方米之间。"), extra={"field": "area_m2"})
    if beds is not None and not 0 <= beds <= MAX_BEDS:
        raise InvalidInput(_("床位数不合理。"), extra={"field": "beds"})
    room = room_ensure(premises=premises, number=number, floor=floor)
    spec, created = RoomSpec.objects.get_or_create(
        room=room, defaults={"area_m2": area_m2 or Decimal(0), "beds": beds or 1}
    )
    changed = []
    if not created and area_m2 is not None and spec.area_m2 != area_m2:
        spec.area_m2 = area_m2
        changed.append("area_m2")
    if not created and beds is not None and spec.beds != beds:
        spec.beds = beds
        changed.append("beds")
    if changed:
        spec.save(update_fields=changed)
    return room


@transaction.atomic
def door_controller_add(
    *, premises: Premises, serial: str, range_start: int = 10000001, range_end: int = 19999999
) -> DoorController:
    if range_end < range_start:
        raise InvalidInput(_("卡号段的止号须不小于起号。"), extra={"field": "range_end"})
    if DoorController.objects.filter(serial=serial).exists():
        raise Conflict(_("该序列号已登记。"), extra={"field": "serial"})
    return DoorController.objects.create(
        premises=premises,
        serial=serial,
        card_range_start=range_start,
        card_range_end=range_end,
        next_card=range_start,
    )
