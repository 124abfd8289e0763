"""Card lists reach door controllers over MQTT (the real local Mosquitto) and are re-sent until
acknowledged; door events by card land in the tenant's history; a revoked card that opens a door
is an alarm case. Each run uses its own topic prefix. Skipped without a broker, failed under
SHOUWANG_REQUIRE_SERVICES=1."""

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shouwang.cases.feeders import Case, CaseKind
from shouwang.housing.doors import DoorLink
from shouwang.housing.models import DoorController, DoorEvent
from shouwang.housing.services.tenancies import tenancy_end, tenancy_register
from shouwang.housing.simulated_controller import SimulatedController
from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.testing.api import ApiClient
from shouwang.testing.services import need_mqtt

pytestmark = [pytest.mark.django_db, pytest.mark.services]
WAIT_SECONDS = 10.0


def until(link: DoorLink, check: Callable[[], Any]) -> Any:
    """Runs the link's rounds until `check` holds (the broker is real, messages take a moment)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        link.tick()
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("nothing arrived in time")


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex[:10]}/doors"


@pytest.fixture
def link(prefix: str) -> Iterator[DoorLink]:
    door_link = DoorLink(need_mqtt(), prefix)
    assert door_link.connected.wait(WAIT_SECONDS)
    yield door_link
    door_link.stop()


def simulated(prefix: str, rental: Rental, *, ack: bool = True) -> SimulatedController:
    controller = SimulatedController(need_mqtt(), prefix, rental.controller.serial, ack=ack)
    assert controller.subscribed.wait(WAIT_SECONDS)
    return controller


def register(rental: Rental, seq: int = 91) -> Any:
    return tenancy_register(
        actor=rental.landlord,
        room=rental.rooms[0],
        name="郑十一",
        phone="13900008888",
        id_number=id_number(seq),
        moved_in=timezone.localdate(),
    )


def test_card_list_is_pushed_and_acknowledged(link: DoorLink, prefix: str, rental: Rental) -> None:
    door = simulated(prefix, rental)
    try:
        card = register(rental).card_number
        until(link, lambda: door.cards == [card])
        controller = until(
            link,
            lambda: DoorController.objects.filter(
                pk=rental.controller.pk, acked_version=1, next_push_at__isnull=True
            ).first(),
        )
        assert controller.list_version == 1
    finally:
        door.stop()


def test_unacknowledged_list_is_sent_again(link: DoorLink, prefix: str, rental: Rental) -> None:
    door = simulated(prefix, rental, ack=False)
    try:
        register(rental)
        until(link, lambda: door.lists_received == 1)
        assert link.tick() == 0  # not due again yet
        later = timezone.now() + timedelta(seconds=6)
        assert link.tick(now=later) == 1
        deadline = time.monotonic() + WAIT_SECONDS
        while door.lists_received < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert door.lists_received == 2
        controller = DoorController.objects.get(pk=rental.controller.pk)
        assert controller.acked_version == 0 and controller.push_attempts == 2
    finally:
        door.stop()


def test_moving_out_removes_the_card_and_its_use_is_an_alarm(
    link: DoorLink, prefix: str, rental: Rental
) -> None:
    door = simulated(prefix, rental)
    try:
        done = register(rental)
        card = done.card_number
        until(link, lambda: door.cards == [card])
        door.present(card)
        event = until(link, lambda: DoorEvent.objects.filter(card_number=card).first())
        assert event.opened and event.alarm_case_id is None
        history = ApiClient(rental.landlord.username).get(
            f"/api/v1/housing/tenancies/{done.tenancy.pk}/door-events"
        )
        assert [e["id"] for e in history.json()] == [event.pk]

        tenancy_end(actor=rental.landlord, tenancy=done.tenancy, moved_out=timezone.localdate())
        until(link, lambda: door.version == 2 and door.cards == [])
        door.present(card, opened=True)  # a controller that missed the list lets it in
        alarm = until(
            link,
            lambda: DoorEvent.objects.filter(card_number=card, alarm_case__isnull=False).first(),
        )
        case = Case.objects.get(pk=alarm.alarm_case_id)
        assert case.kind == CaseKind.ALARM and case.node_id == rental.premises.node_id
    finally:
        door.stop()
