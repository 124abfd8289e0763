"""One case at the console: what the page shows (timeline, room, assignees and their
acknowledgements, suggestions, actions with their keys), each action going through its service,
refusals shown with what was typed, and other towns' cases not found."""

import pytest
from django.test import Client
from django.urls import reverse

from shouwang.cases import services
from shouwang.cases.models import Assignment, Case, TimelineEvent
from shouwang.cases.services.room import room_message_post
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import POINT, Loop, dispatched, fresh, make_case
from shouwang.core.models import User
from shouwang.notify.models import OutboxMessage
from shouwang.notify.services import notification_acknowledge
from shouwang.testing.outbox import groups_of

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def action(case: Case, name: str) -> str:
    return reverse("console-case-action", args=[case.pk, name])


def test_detail_shows_timeline_room_actions_and_keys(loop: Loop) -> None:
    case = dispatched(loop)
    room_message_post(actor=loop.person("responder"), case=case, text="正在赶往现场")

    response = client_for(loop.person("dispatcher")).get(reverse("console-case", args=[case.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html and "派单" in html and "开通处置群" in html
    assert "正在赶往现场" in html
    for key in ("D", "V", "M", "E", "T", "X", "R"):
        assert f"<kbd>{key}</kbd>" in html, key
    last = TimelineEvent.objects.filter(case=case).latest("id")
    assert f'data-last-event="{last.pk}"' in html  # the room socket resumes after it


def test_other_towns_dispatcher_finds_no_case_on_any_page(loop: Loop) -> None:
    case = make_case(loop, town="a")
    client = client_for(loop.person("dispatcher", "b"))
    pages = [
        client.get(reverse("console-case", args=[case.pk])),
        client.get(reverse("console-case-part", args=[case.pk, "summary"])),
        client.post(action(case, "cancel"), {"reason": "误报"}),
        client.post(action(case, "dispatch"), {"people": ["responder_2"]}),
    ]
    assert [r.status_code for r in pages] == [404, 404, 404, 404]
    assert fresh(case).state == CaseState.RECEIVED


def test_a_volunteer_cannot_open_a_case_at_the_console(loop: Loop) -> None:
    case = make_case(loop)
    response = client_for(loop.person("volunteer")).get(reverse("console-case", args=[case.pk]))
    assert response.status_code == 403


def test_dispatching_to_a_suggested_responder_is_one_action(loop: Loop) -> None:
    case = make_case(loop)
    lat, lng = POINT["a"]
    services.responder_position_report(actor=loop.person("responder"), lat=lat, lng=lng + 0.001)
    client = client_for(loop.person("dispatcher"))
    page = client.get(reverse("console-case", args=[case.pk])).content.decode()
    assert 'name="people" value="responder_1"' in page  # suggested, ~100 m away

    response = client.post(action(case, "dispatch"), {"people": ["responder_1"], "note": "速去"})

    assert response.status_code == 302
    case = fresh(case)
    assert case.state == CaseState.DISPATCHED
    assignment = Assignment.objects.get(case=case)
    assert assignment.person == loop.person("responder")
    kinds = list(TimelineEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-2:] == ["dispatched", "room_opened"]
    recipients = groups_of(OutboxMessage.objects.values_list("recipient", flat=True))
    assert {f"person.{assignment.person_id}", f"case.{case.pk}", "screen.330782"} <= recipients


def test_a_dispatch_with_nobody_chosen_is_refused_and_the_note_kept(loop: Loop) -> None:
    case = make_case(loop)
    response = client_for(loop.person("dispatcher")).post(
        action(case, "dispatch"), {"note": "请带上担架"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "请至少选择一个处置人员或单位" in html and 'value="请带上担架"' in html
    assert fresh(case).state == CaseState.RECEIVED


def test_a_leader_is_told_only_dispatchers_dispatch(loop: Loop) -> None:
    case = make_case(loop)
    response = client_for(loop.person("leader")).post(
        action(case, "dispatch"), {"people": ["responder_1"]}
    )
    assert response.status_code == 403
    assert "只有本辖区的指挥中心值班员可以执行此操作" in response.content.decode()
    assert not Assignment.objects.exists()


def test_assignees_show_whether_they_acknowledged(loop: Loop) -> None:
    case = dispatched(loop)
    client = client_for(loop.person("dispatcher"))
    assert (
        "待确认"
        in client.get(reverse("console-case-part", args=[case.pk, "assignees"])).content.decode()
    )

    message = OutboxMessage.objects.get(recipient=f"person.{loop.person('responder').pk}")
    notification_acknowledge(actor=loop.person("responder"), message_id=message.pk)

    html = client.get(reverse("console-case-part", args=[case.pk, "assignees"])).content.decode()
    assert "已确认" in html and "待确认" not in html


def test_divert_sends_a_non_police_matter_to_the_town_command(loop: Loop) -> None:
    case = make_case(loop, code="noise", description="楼下广场舞噪音扰民")
    response = client_for(loop.person("dispatcher")).post(
        action(case, "divert"), {"note": "属地处理"}
    )
    assert response.status_code == 302
    case = fresh(case)
    assert (case.state, case.diverted, case.responsible_unit) == (
        CaseState.TRANSFERRED,
        True,
        loop.town_command["a"],
    )


def test_merge_by_number(loop: Loop) -> None:
    survivor, duplicate = make_case(loop), make_case(loop)
    response = client_for(loop.person("dispatcher")).post(
        action(duplicate, "merge"), {"into": survivor.number}
    )
    assert response.status_code == 302
    assert fresh(duplicate).merged_into_id == survivor.pk


def test_merge_into_an_unknown_number_is_refused_with_the_number_kept(loop: Loop) -> None:
    case = make_case(loop)
    response = client_for(loop.person("dispatcher")).post(action(case, "merge"), {"into": "SW000"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "目标事件不存在或不在您的辖区内" in html and 'value="SW000"' in html
    assert fresh(case).state == CaseState.RECEIVED


def test_escalate_and_transfer(loop: Loop) -> None:
    client = client_for(loop.person("dispatcher"))
    up, away = make_case(loop), make_case(loop)

    client.post(action(up, "escalate"), {"reason": "需市级协调"})
    client.post(action(away, "transfer"), {"unit": loop.department.code, "reason": "城管职责"})

    assert fresh(up).state == CaseState.ESCALATED
    assert (fresh(away).state, fresh(away).responsible_unit) == (
        CaseState.TRANSFERRED,
        loop.department,
    )


def test_transfer_page_offers_city_units_to_a_town_dispatcher(loop: Loop) -> None:
    case = make_case(loop)
    html = client_for(loop.person("dispatcher")).get(reverse("console-case", args=[case.pk]))
    assert f'value="{loop.department.code}"' in html.content.decode()


def test_cancel_needs_a_reason(loop: Loop) -> None:
    case = make_case(loop)
    client = client_for(loop.person("dispatcher"))

    refused = client.post(action(case, "cancel"), {"reason": " "})
    assert refused.status_code == 422 and "请填写原因" in refused.content.decode()
    assert fresh(case).state == CaseState.RECEIVED

    client.post(action(case, "cancel"), {"reason": "报警人称误报"})
    assert fresh(case).state == CaseState.CANCELLED


def test_actions_the_state_does_not_allow_are_not_offered(loop: Loop) -> None:
    case = services.case_cancel(
        actor=loop.person("dispatcher"), case=make_case(loop), reason="误报"
    )
    html = client_for(loop.person("dispatcher")).get(reverse("console-case", args=[case.pk]))
    page = html.content.decode()
    assert 'data-toggle="dispatch"' not in page and 'data-toggle="cancel"' not in page
    assert "当前状态下指挥台没有可执行的操作" in page


def test_a_confidential_callers_phone_is_shown_to_the_dispatcher_masked(loop: Loop) -> None:
    case = make_case(loop, caller_phone="13912345678", confidential=True)
    html = client_for(loop.person("dispatcher")).get(reverse("console-case", args=[case.pk]))
    assert "139****5678" in html.content.decode()
