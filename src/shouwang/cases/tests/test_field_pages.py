"""The responder's phone page through Django's test client: the task list, each step through
its big button, photos, "not ours", the case room without a socket — and the refusals: a case
of another town is 404 on every page, a case not assigned to the person is theirs to look at
but not to act on, and a refused step keeps what was typed."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shouwang.cases import services
from shouwang.cases.models import (
    Assignment,
    AssignmentState,
    Attachment,
    Case,
    CaseChannel,
    Priority,
)
from shouwang.cases.rules.room import ROOM_MESSAGE_KIND
from shouwang.cases.selectors.field import field_tasks
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import (
    POINT,
    Loop,
    accepted,
    another_responder,
    dispatched,
    fresh,
    make_case,
    no_arrival_policy,
    on_scene,
)
from shouwang.core.models import User
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def assignment_of(case: Case, user: User) -> Assignment:
    return Assignment.objects.get(case=case, person=user, round=fresh(case).round)


def test_responder_sees_their_dispatched_task_urgent_first(loop: Loop) -> None:
    responder = loop.person("responder")
    normal = dispatched(loop, code="noise", description="楼上装修噪音")
    urgent = dispatched(loop, code="fight", description="烧烤摊有人打架")
    assert urgent.priority == Priority.URGENT and normal.priority > urgent.priority
    page = signed_in(responder).get("/m/")
    assert page.status_code == 200
    html = page.content.decode()
    assert urgent.number in html and normal.number in html
    assert html.index(urgent.number) < html.index(normal.number)
    partial = signed_in(responder).get("/m/tasks/")
    assert partial.status_code == 200 and urgent.number in partial.content.decode()
    assert "<html" not in partial.content.decode()  # the list alone, for htmx


def test_task_list_does_not_show_another_persons_task(loop: Loop) -> None:
    other = another_responder(loop)
    case = make_case(loop)
    services.case_dispatch(actor=loop.person("dispatcher"), case=case, people=[other])
    html = signed_in(loop.person("responder")).get("/m/").content.decode()
    assert case.number not in html
    assert "暂无待办任务" in html


def test_a_units_untaken_task_shows_to_its_members(loop: Loop) -> None:
    case = make_case(loop)
    services.case_dispatch(actor=loop.person("dispatcher"), case=case, units=[loop.city.a.station])
    html = signed_in(loop.person("responder")).get("/m/").content.decode()
    assert case.number in html and "派给本单位" in html


def test_the_signed_out_are_sent_to_sign_in(loop: Loop) -> None:
    response = Client().get("/m/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_responder_accepts_arrives_and_resolves_with_the_big_buttons(loop: Loop) -> None:
    responder = loop.person("responder")
    case = dispatched(loop)
    client = signed_in(responder)
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert "接单" in page and case.description in page

    response = client.post(f"/m/cases/{case.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == f"/m/cases/{case.pk}/"
    assert fresh(case).state == CaseState.ACCEPTED
    assert "到达现场" in client.get(f"/m/cases/{case.pk}/").content.decode()

    lat, lng = POINT["a"]
    response = client.post(f"/m/cases/{case.pk}/arrive/", {"lat": lat, "lng": lng})
    assert response.status_code == 302
    assert fresh(case).state == CaseState.ON_SCENE
    arrival = assignment_of(case, responder)
    assert arrival.within_radius is True and arrival.arrival_lat == pytest.approx(lat)

    response = client.post(f"/m/cases/{case.pk}/resolve/", {"note": "双方已劝离，现场恢复秩序"})
    assert response.status_code == 302
    assert fresh(case).state == CaseState.RESOLVED
    assert assignment_of(case, responder).note == "双方已劝离，现场恢复秩序"
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert "您已报告处置完毕" in page


def test_arrival_far_from_the_case_is_recorded_not_refused(loop: Loop) -> None:
    responder = loop.person("responder")
    case = accepted(loop)
    client = signed_in(responder)
    response = client.post(
        f"/m/cases/{case.pk}/arrive/", {"lat": 29.12, "lng": 120.08}, follow=True
    )
    assert response.status_code == 200
    assert fresh(case).state == CaseState.ON_SCENE
    arrival = assignment_of(case, responder)
    assert arrival.within_radius is False and arrival.distance_m > 1000
    assert "已如实记录" in response.content.decode()


def test_arrival_in_gcj02_is_stored_as_wgs84(loop: Loop) -> None:
    responder = loop.person("responder")
    case = accepted(loop)
    lat, lng = POINT["a"]
    signed_in(responder).post(
        f"/m/cases/{case.pk}/arrive/", {"lat": lat, "lng": lng, "coord_system": "gcj02"}
    )
    arrival = assignment_of(case, responder)
    assert arrival.arrival_lat != pytest.approx(lat, abs=1e-5)  # converted, not taken as is
    assert arrival.arrival_lat == pytest.approx(lat, abs=0.01)


def test_arrival_without_a_position_is_refused_with_a_clear_message(loop: Loop) -> None:
    case = accepted(loop)
    response = signed_in(loop.person("responder")).post(f"/m/cases/{case.pk}/arrive/", {})
    assert response.status_code == 422
    assert "没有取得手机位置" in response.content.decode()
    assert fresh(case).state == CaseState.ACCEPTED


def test_a_refused_resolution_keeps_the_typed_note(loop: Loop) -> None:
    case = accepted(loop)  # nobody on scene yet: a fight needs someone there first
    note = "电话联系当事人，已调解"
    response = signed_in(loop.person("responder")).post(
        f"/m/cases/{case.pk}/resolve/", {"note": note}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "须有处置人员到场" in html
    assert note in html  # nothing typed is lost
    assert fresh(case).state == CaseState.ACCEPTED


def test_a_matter_settled_by_phone_resolves_without_arrival(loop: Loop) -> None:
    no_arrival_policy()
    case = accepted(loop, code="consultation", channel=CaseChannel.HOTLINE_12345)
    client = signed_in(loop.person("responder"))
    assert "处置完毕" in client.get(f"/m/cases/{case.pk}/").content.decode()
    response = client.post(f"/m/cases/{case.pk}/resolve/", {"note": "已电话答复"})
    assert response.status_code == 302
    assert fresh(case).state == CaseState.RESOLVED


def test_resolving_without_a_note_is_refused(loop: Loop) -> None:
    case = on_scene(loop)
    response = signed_in(loop.person("responder")).post(
        f"/m/cases/{case.pk}/resolve/", {"note": "  "}
    )
    assert response.status_code == 422 and "请填写说明" in response.content.decode()
    assert fresh(case).state == CaseState.ON_SCENE


def test_not_ours_returns_the_case_with_the_reason(loop: Loop) -> None:
    responder = loop.person("responder")
    case = dispatched(loop)
    response = signed_in(responder).post(
        f"/m/cases/{case.pk}/return/", {"reason": "属于北苑街道辖区"}
    )
    assert response.status_code == 302
    assert fresh(case).state == CaseState.RETURNED
    returned = assignment_of(case, responder)
    assert returned.state == AssignmentState.RETURNED
    assert returned.return_reason == "属于北苑街道辖区"


def test_returning_without_a_reason_is_refused_and_changes_nothing(loop: Loop) -> None:
    case = dispatched(loop)
    response = signed_in(loop.person("responder")).post(
        f"/m/cases/{case.pk}/return/", {"reason": ""}
    )
    assert response.status_code == 422
    assert fresh(case).state == CaseState.DISPATCHED


def test_responder_cannot_act_on_a_case_not_assigned_to_them(loop: Loop) -> None:
    other = another_responder(loop)
    case = make_case(loop)
    services.case_dispatch(actor=loop.person("dispatcher"), case=case, people=[other])
    services.assignment_accept(actor=other, case=case)  # a state where each step is legal
    client = signed_in(loop.person("responder"))
    page = client.get(f"/m/cases/{case.pk}/")
    assert page.status_code == 200  # same town: they may look
    html = page.content.decode()
    assert "您不是该事件的处置人员" in html
    assert f"/m/cases/{case.pk}/accept/" not in html
    for step, data in (
        ("accept", {}),
        ("arrive", {"lat": POINT["a"][0], "lng": POINT["a"][1]}),
        ("return", {"reason": "不是我们的"}),
    ):
        response = client.post(f"/m/cases/{case.pk}/{step}/", data)
        assert response.status_code == 403, step
        assert "您不是该事件的处置人员" in response.content.decode()
    assert fresh(case).state == CaseState.ACCEPTED
    assert not Assignment.objects.filter(case=case, person=loop.person("responder")).exists()


def test_other_towns_cases_are_404_on_every_field_page(loop: Loop, media_root: Path) -> None:
    case = make_case(loop, town="b")
    services.case_dispatch(
        actor=loop.person("dispatcher", "b"), case=case, people=[loop.person("responder", "b")]
    )
    client = signed_in(loop.person("responder"))
    assert client.get(f"/m/cases/{case.pk}/").status_code == 404
    assert client.get(f"/m/cases/{case.pk}/panel/").status_code == 404
    for step in ("accept", "arrive", "resolve", "return", "messages"):
        assert client.post(f"/m/cases/{case.pk}/{step}/", {"note": "x"}).status_code == 404
    upload = SimpleUploadedFile("a.png", png(), content_type="image/png")
    assert client.post(f"/m/cases/{case.pk}/photos/", {"file": upload}).status_code == 404
    assert fresh(case).state == CaseState.DISPATCHED
    assert not Attachment.objects.filter(case=case).exists()


def test_a_photo_goes_up_through_the_attachments_service(loop: Loop, media_root: Path) -> None:
    responder = loop.person("responder")
    case = on_scene(loop)
    upload = SimpleUploadedFile("scene.png", png(), content_type="image/png")
    response = signed_in(responder).post(
        f"/m/cases/{case.pk}/photos/", {"file": upload}, headers={"accept": "application/json"}
    )
    assert response.status_code == 201
    attachment = Attachment.objects.get(case=case)
    assert response.json() == {
        "id": attachment.pk,
        "url": f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}",
    }
    assert attachment.uploaded_by == responder
    assert (attachment.width, attachment.height) == (64, 48)
    page = signed_in(responder).get(f"/m/cases/{case.pk}/").content.decode()
    assert f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}" in page


def test_a_file_that_is_not_a_picture_is_refused(loop: Loop, media_root: Path) -> None:
    case = on_scene(loop)
    upload = SimpleUploadedFile("notes.png", b"this is not a picture", content_type="image/png")
    response = signed_in(loop.person("responder")).post(
        f"/m/cases/{case.pk}/photos/", {"file": upload}, headers={"accept": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "文件不是有效的图片。"
    assert not Attachment.objects.filter(case=case).exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_a_message_posts_to_the_case_room_without_the_socket(loop: Loop) -> None:
    responder = loop.person("responder")
    case = accepted(loop)
    response = signed_in(responder).post(
        f"/m/cases/{case.pk}/messages/", {"text": "已到楼下，请开门"}, follow=True
    )
    assert response.status_code == 200
    event = case.timeline.get(kind=ROOM_MESSAGE_KIND)
    assert event.data == {"text": "已到楼下，请开门"} and event.actor == responder
    assert "已到楼下，请开门" in response.content.decode()


def test_the_task_page_joins_the_case_room_only_for_its_members(loop: Loop) -> None:
    case = dispatched(loop)
    member = signed_in(loop.person("responder")).get(f"/m/cases/{case.pk}/").content.decode()
    assert f'data-room="/ws/cases/{case.pk}/"' in member
    other = another_responder(loop)
    looker = signed_in(other).get(f"/m/cases/{case.pk}/").content.decode()
    assert "data-room=" not in looker


def test_the_task_panel_refreshes_alone(loop: Loop) -> None:
    case = dispatched(loop)
    response = signed_in(loop.person("responder")).get(f"/m/cases/{case.pk}/panel/")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="task-panel"' in html and "<html" not in html


def test_the_task_list_reads_a_fixed_number_of_queries(loop: Loop) -> None:
    responder = loop.person("responder")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            tasks = field_tasks(user=responder)
            for a in [*tasks.open, *tasks.done]:
                _ = (a.case.category.name, a.case.node.name, a.case.number)
        return len(captured.captured_queries)

    dispatched(loop)
    one = queries()
    for _ in range(3):
        dispatched(loop, code="theft", description="电动车被盗")
    services.assignment_return(actor=responder, case=dispatched(loop), reason="不属于本所")
    assert queries() == one
    assert len(field_tasks(user=responder).open) == 4


def test_an_english_phone_names_the_task_in_english(loop: Loop) -> None:
    dispatched(loop, code="fight", description="烧烤摊有人打架")
    client = signed_in(loop.person("responder"))
    client.cookies["django_language"] = "en"
    html = client.get("/m/").content.decode()
    assert "Fight or brawl" in html and "打架斗殴" not in html
