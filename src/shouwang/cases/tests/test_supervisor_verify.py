"""The verification queue (核查结案): a town leader sees the resolved cases of their town with the
feedback, photos and timeline, approves or sends back with a reason, then closes — and sees and
touches nothing of the other town."""

import io
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shouwang.cases import services
from shouwang.cases.models import Case, TimelineKind
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import POINT, Loop, fresh, make_case
from shouwang.core.models import User

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def resolved_in(loop: Loop, town: str = "a", **kw: object) -> Case:
    """A case of `town` walked by that town's dispatcher and responder up to resolved."""
    dispatcher, responder = loop.person("dispatcher", town), loop.person("responder", town)
    case = make_case(loop, town=town, **kw)
    services.case_dispatch(actor=dispatcher, case=case, people=[responder])
    services.assignment_accept(actor=responder, case=fresh(case))
    lat, lng = POINT[town]
    services.assignment_arrive(actor=responder, case=fresh(case), lat=lat, lng=lng)
    services.assignment_resolve(actor=responder, case=fresh(case), note=f"已劝离{town}")
    return fresh(case)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (20, 120, 40)).save(out, "PNG")
    return out.getvalue()


def test_the_queue_shows_the_towns_resolved_cases_with_their_feedback(loop: Loop) -> None:
    mine, theirs = resolved_in(loop, "a"), resolved_in(loop, "b")

    response = signed_in(loop.person("leader")).get("/supervise/verify/")

    assert response.status_code == 200
    page = response.content.decode()
    assert mine.number in page and "已劝离a" in page
    assert theirs.number not in page and "已劝离b" not in page
    assert "核查通过" in page and "<kbd>A</kbd>" in page


def test_a_city_admin_sees_every_towns_queue(loop: Loop) -> None:
    a, b = resolved_in(loop, "a"), resolved_in(loop, "b")
    page = signed_in(loop.city.admin).get("/supervise/verify/").content.decode()
    assert a.number in page and b.number in page


@pytest.mark.parametrize("role", ["dispatcher", "responder", "volunteer"])
def test_only_leaders_and_admins_open_the_queue(loop: Loop, role: str) -> None:
    resolved_in(loop)
    assert signed_in(loop.person(role)).get("/supervise/verify/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(loop: Loop) -> None:
    response = Client().get("/supervise/verify/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_approve_then_close_takes_the_case_out_of_the_queue(loop: Loop) -> None:
    case = resolved_in(loop)
    client = signed_in(loop.person("leader"))

    approved = client.post(f"/supervise/verify/{case.pk}/approve/", headers=HTMX)

    assert approved.status_code == 200
    assert fresh(case).state == CaseState.VERIFIED
    body = approved.content.decode()
    assert f'id="case-{case.pk}"' in body and "<kbd>C</kbd>" in body  # now awaiting closure
    assert 'id="supervise-status"' in body and "hx-swap-oob" in body

    closed = client.post(f"/supervise/verify/{case.pk}/close/", headers=HTMX)

    assert closed.status_code == 200
    assert fresh(case).state == CaseState.CLOSED
    assert f'id="case-{case.pk}"' not in closed.content.decode()  # the row leaves the queue
    assert case.number not in client.get("/supervise/verify/").content.decode()


def test_a_rejection_without_a_reason_saves_nothing(loop: Loop) -> None:
    case = resolved_in(loop)
    client = signed_in(loop.person("leader"))

    response = client.post(f"/supervise/verify/{case.pk}/reject/", {"reason": "  "}, headers=HTMX)

    assert response.status_code == 422
    assert "请填写退回原因" in response.content.decode()
    after = fresh(case)
    assert (after.state, after.round) == (CaseState.RESOLVED, 1)
    assert not after.timeline.filter(kind=TimelineKind.VERIFICATION_REJECTED).exists()


def test_a_rejection_with_a_reason_sends_the_case_back_to_its_responder(loop: Loop) -> None:
    case = resolved_in(loop)
    client = signed_in(loop.person("leader"))

    response = client.post(
        f"/supervise/verify/{case.pk}/reject/", {"reason": "照片看不清现场"}, headers=HTMX
    )

    assert response.status_code == 200
    assert f'id="case-{case.pk}"' not in response.content.decode()
    after = fresh(case)
    assert (after.state, after.round) == (CaseState.DISPATCHED, 2)
    event = after.timeline.get(kind=TimelineKind.VERIFICATION_REJECTED)
    assert event.data["reason"] == "照片看不清现场"
    assert event.actor == loop.person("leader")


def test_without_javascript_an_action_redirects_back_with_a_message(loop: Loop) -> None:
    case = resolved_in(loop)
    client = signed_in(loop.person("leader"))

    response = client.post(
        f"/supervise/verify/{case.pk}/approve/", {"next": "/supervise/verify/?stage=verify"}
    )

    assert response.status_code == 303
    assert response["Location"] == "/supervise/verify/?stage=verify"
    assert fresh(case).state == CaseState.VERIFIED
    followed = client.get(response["Location"])
    assert "核查通过" in followed.content.decode()


def test_a_rejection_without_javascript_and_without_a_reason_says_why(loop: Loop) -> None:
    case = resolved_in(loop)
    client = signed_in(loop.person("leader"))
    response = client.post(f"/supervise/verify/{case.pk}/reject/", {"reason": ""}, follow=True)
    assert "请填写退回原因" in response.content.decode()
    assert fresh(case).state == CaseState.RESOLVED


def test_an_offsite_next_is_not_followed(loop: Loop) -> None:
    case = resolved_in(loop)
    response = signed_in(loop.person("leader")).post(
        f"/supervise/verify/{case.pk}/approve/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/supervise/verify/"


def test_approving_twice_is_refused_and_shows_the_case_as_it_is(loop: Loop) -> None:
    case = resolved_in(loop)
    client = signed_in(loop.person("leader"))
    client.post(f"/supervise/verify/{case.pk}/approve/", headers=HTMX)

    again = client.post(f"/supervise/verify/{case.pk}/approve/", headers=HTMX)

    assert again.status_code == 409
    assert "<kbd>C</kbd>" in again.content.decode()
    assert fresh(case).timeline.filter(kind=TimelineKind.VERIFIED).count() == 1


@pytest.mark.parametrize("action", ["approve", "reject", "close"])
def test_a_town_a_leader_gets_404_acting_on_a_town_b_case(loop: Loop, action: str) -> None:
    theirs = resolved_in(loop, "b")
    client = signed_in(loop.person("leader", "a"))

    response = client.post(
        f"/supervise/verify/{theirs.pk}/{action}/", {"reason": "不行"}, headers=HTMX
    )

    assert response.status_code == 404
    after = fresh(theirs)
    assert (after.state, after.round) == (CaseState.RESOLVED, 1)


def test_a_town_a_leader_gets_404_for_a_town_b_case_panel(loop: Loop) -> None:
    theirs = resolved_in(loop, "b")
    client = signed_in(loop.person("leader", "a"))
    assert client.get(f"/supervise/verify/{theirs.pk}/", headers=HTMX).status_code == 404
    assert client.get(f"/supervise/verify/{theirs.pk}/").status_code == 404


def test_a_dispatcher_may_not_verify(loop: Loop) -> None:
    case = resolved_in(loop)
    response = signed_in(loop.person("dispatcher")).post(
        f"/supervise/verify/{case.pk}/approve/", headers=HTMX
    )
    assert response.status_code == 403
    assert fresh(case).state == CaseState.RESOLVED


def test_the_panel_shows_feedback_photos_and_the_timeline(loop: Loop, media_root: Path) -> None:
    case = resolved_in(loop)
    photo = services.attachment_add(
        actor=loop.person("responder"), case=case, data=png(), note="现场已清理"
    )
    client = signed_in(loop.person("leader"))

    panel = client.get(f"/supervise/verify/{case.pk}/", headers=HTMX).content.decode()

    photo_url = f"/api/v1/cases/{case.pk}/attachments/{photo.pk}"
    assert photo_url in panel and "现场已清理" in panel
    for label in ("受理", "派单", "接单", "到场", "处置完毕"):
        assert label in panel
    assert "已劝离a" in panel
    assert "<html" not in panel  # a fragment for the panel, not a page
    assert client.get(photo_url).status_code == 200
    assert signed_in(loop.person("leader", "b")).get(photo_url).status_code == 404
    # The queue shows the photo too, through the same scoped route.
    assert photo_url in client.get("/supervise/verify/").content.decode()


def test_the_full_page_of_one_case_works_without_htmx(loop: Loop) -> None:
    case = resolved_in(loop)
    page = signed_in(loop.person("leader")).get(f"/supervise/verify/{case.pk}/").content.decode()
    assert "<html" in page and case.number in page


def test_filters_by_stage_category_and_search(loop: Loop) -> None:
    fight = resolved_in(loop, code="fight")
    noise = resolved_in(loop, code="noise", description="夜间装修噪音扰民")
    services.case_verify(actor=loop.person("leader"), case=noise)
    client = signed_in(loop.person("leader"))

    def numbers(**params: str) -> set[str]:
        page = client.get("/supervise/verify/", params, headers={**HTMX, "HX-Target": "queue"})
        body = page.content.decode()
        assert "<html" not in body
        return {c.number for c in (fight, noise) if c.number and c.number in body}

    assert numbers() == {fight.number, noise.number}
    assert numbers(stage="verify") == {fight.number}
    assert numbers(stage="close") == {noise.number}
    assert numbers(category="noise") == {noise.number}
    assert numbers(q="装修") == {noise.number}
    assert numbers(node=loop.city.a.village.code) == {fight.number, noise.number}


def test_filtering_by_another_towns_node_is_404(loop: Loop) -> None:
    resolved_in(loop)
    client = signed_in(loop.person("leader"))
    assert client.get("/supervise/verify/", {"node": loop.city.b.node.code}).status_code == 404


def test_the_queue_pages_twenty_at_a_time_oldest_first(loop: Loop) -> None:
    cases = [resolved_in(loop) for _ in range(21)]
    client = signed_in(loop.person("leader"))
    first = client.get("/supervise/verify/").content.decode()
    second = client.get("/supervise/verify/", {"page": 2}).content.decode()
    assert cases[0].number in first and cases[20].number not in first
    assert cases[20].number in second
    assert first.index(cases[0].number) < first.index(cases[1].number)


def test_the_queue_takes_the_same_number_of_queries_for_more_cases(
    loop: Loop, media_root: Path
) -> None:
    client = signed_in(loop.person("leader"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/supervise/verify/").status_code == 200
        return len(captured)

    for _ in range(2):
        case = resolved_in(loop)
        services.attachment_add(actor=loop.person("responder"), case=case, data=png())
    few = queries()
    for _ in range(3):
        resolved_in(loop)
    assert queries() == few
