"""Right after the demo is seeded every town command room has dispatchers (a diverted matter
reaches someone), a grid worker and a town governance-centre login exist, and responders are on
duty with positions (issue 15, "A demo that shows every scenario")."""

import pytest

from shouwang.cases.models import ResponderStatus
from shouwang.core.demo.seeding import seed_demo
from shouwang.core.models import NodeLevel, Role, Unit, UnitKind, User

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            summary = seed_demo(scale="small", password="Demo-Passw0rd-x", progress=False)
            yield summary
            transaction.set_rollback(True)


def test_every_town_command_room_has_dispatchers(demo) -> None:
    rooms = Unit.objects.filter(kind=UnitKind.TOWN_COMMAND)
    assert rooms.count() == 14
    for room in rooms:
        assert User.objects.filter(unit=room, role=Role.DISPATCHER, is_active=True).count() >= 2


def test_a_grid_worker_and_a_town_centre_login_are_printed_with_the_others(demo) -> None:
    logins = {username: node for username, _role, node in demo.logins}
    grid_worker = User.objects.select_related("node").get(username="grid_worker")
    assert grid_worker.node is not None and grid_worker.node.level == NodeLevel.GRID
    assert logins["grid_worker"] == grid_worker.node.name
    centre = User.objects.select_related("unit").get(username="town_centre")
    assert centre.unit is not None and centre.unit.kind == UnitKind.TOWN_COMMAND


def test_responders_are_on_duty_with_positions(demo) -> None:
    on_duty = ResponderStatus.objects.filter(on_duty=True, person__role=Role.RESPONDER)
    assert on_duty.count() >= 14 * 5
    assert on_duty.filter(person__username__in=["responder", "grid_worker"]).count() == 2
