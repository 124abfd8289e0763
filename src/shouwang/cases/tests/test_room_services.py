"""Writes of the case room: who is a member, messages as timeline events announced to the room
only, and positions kept as the latest per person."""

import pytest

from shouwang.cases import services
from shouwang.cases.models import CaseChannel, ResponderStatus, TimelineEvent
from shouwang.cases.rules.room import ROOM_MESSAGE_KIND, is_room_member
from shouwang.cases.services.room import (
    MESSAGE_MAX_CHARS,
    room_message_post,
    room_position_report,
)
from shouwang.cases.tests.factories import Loop, dispatched, fresh, make_case, merged
from shouwang.core.errors import IllegalTransition, InvalidInput, NotFound, PermissionDeniedError
from shouwang.notify.groups import case_group
from shouwang.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_command_and_assignees_are_members_and_other_people_are_not(loop: Loop) -> None:
    case = dispatched(loop)
    for role in ("dispatcher", "leader", "responder"):
        assert is_room_member(loop.person(role), case), role
    assert is_room_member(loop.city.admin, case)
    for role in ("volunteer", "inspector", "first_responder"):
        assert not is_room_member(loop.person(role), case), role
    assert not is_room_member(loop.person("dispatcher", "b"), case)


def test_a_unit_assignment_makes_its_members_members(loop: Loop) -> None:
    case = services.case_dispatch(
        actor=loop.person("dispatcher"), case=make_case(loop), units=[loop.city.a.station]
    )
    assert is_room_member(loop.person("responder"), case)


def test_a_message_is_a_timeline_event_sent_to_the_room_only(loop: Loop) -> None:
    case = dispatched(loop)
    event = room_message_post(actor=loop.person("dispatcher"), case=case, text=" 注意安全 ")

    assert (event.kind, event.data, event.actor) == (
        ROOM_MESSAGE_KIND,
        {"text": "注意安全"},
        loop.person("dispatcher"),
    )
    assert not event.is_public  # the citizen's tracking page never shows the room
    recipients = OutboxMessage.objects.filter(
        idempotency_key__startswith=f"cases:event:{event.pk}:"
    ).values_list("recipient", flat=True)
    assert list(recipients) == [case_group(case.pk)]


@pytest.mark.parametrize("text", ["", "   ", "字" * (MESSAGE_MAX_CHARS + 1)])
def test_empty_or_overlong_messages_are_refused_and_nothing_is_written(
    loop: Loop, text: str
) -> None:
    case = dispatched(loop)
    before = TimelineEvent.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(InvalidInput):
        room_message_post(actor=loop.person("dispatcher"), case=case, text=text)
    assert (TimelineEvent.objects.count(), OutboxMessage.objects.count()) == before


def test_a_volunteer_cannot_post_and_another_town_cannot_see(loop: Loop) -> None:
    case = dispatched(loop)
    with pytest.raises(NotFound):  # least privilege: not the volunteer's report
        room_message_post(actor=loop.person("volunteer"), case=case, text="我也来看看")
    own = make_case(loop, actor=loop.person("volunteer"), code="noise", channel=CaseChannel.APP)
    with pytest.raises(PermissionDeniedError):  # their own report: seen, but not a room of theirs
        room_message_post(actor=loop.person("volunteer"), case=own, text="我也来看看")
    with pytest.raises(NotFound):
        room_message_post(actor=loop.person("dispatcher", "b"), case=case, text="你好")
    assert not TimelineEvent.objects.filter(case=case, kind=ROOM_MESSAGE_KIND).exists()


def test_a_merged_cases_room_is_closed(loop: Loop) -> None:
    case = merged(loop)
    with pytest.raises(IllegalTransition):
        room_message_post(actor=loop.person("dispatcher"), case=fresh(case), text="还在吗")


def test_position_of_an_assignee_working_the_case_is_kept_as_their_latest(loop: Loop) -> None:
    case = dispatched(loop)
    responder = loop.person("responder")
    room_position_report(actor=responder, case=case, lat=29.1, lng=120.05)
    room_position_report(actor=responder, case=case, lat=29.101, lng=120.051)

    status = ResponderStatus.objects.get(person=responder)
    assert (status.lat, status.lng) == (29.101, 120.051)
    assert not TimelineEvent.objects.filter(case=case, kind="position").exists()


def test_position_from_someone_not_working_the_case_is_refused(loop: Loop) -> None:
    case = make_case(loop)  # nobody dispatched yet
    with pytest.raises(PermissionDeniedError):
        room_position_report(actor=loop.person("responder"), case=case, lat=29.1, lng=120.05)
    assert not ResponderStatus.objects.exists()
