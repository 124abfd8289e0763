"""The callback queue (回访): closed cases without a callback, oldest first, under the period's
satisfaction rate; a callback is recorded in one key, and an unsatisfied one reopens the case."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shouwang.cases import services
from shouwang.cases.models import Callback, CallbackResult, Case
from shouwang.cases.selectors.kpi import kpi_loop
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import POINT, Loop, fresh, make_case
from shouwang.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def closed_in(loop: Loop, town: str = "a", **kw: object) -> Case:
    """A case of `town` walked by that town's people through the loop to closed."""
    dispatcher, responder = loop.person("dispatcher", town), loop.person("responder", town)
    leader = loop.person("leader", town)
    case = make_case(loop, town=town, caller_phone="13812345678", **kw)
    services.case_dispatch(actor=dispatcher, case=case, people=[responder])
    services.assignment_accept(actor=responder, case=fresh(case))
    lat, lng = POINT[town]
    services.assignment_arrive(actor=responder, case=fresh(case), lat=lat, lng=lng)
    services.assignment_resolve(actor=responder, case=fresh(case), note=f"已调解{town}")
    services.case_verify(actor=leader, case=fresh(case))
    services.case_close(actor=leader, case=fresh(case))
    return fresh(case)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_queue_lists_the_towns_closed_cases_oldest_first(loop: Loop) -> None:
    older, newer, theirs = closed_in(loop), closed_in(loop), closed_in(loop, "b")

    page = signed_in(loop.person("leader")).get("/supervise/callbacks/").content.decode()

    assert older.number in page and newer.number in page
    assert page.index(older.number) < page.index(newer.number)
    assert theirs.number not in page and "已调解b" not in page
    assert "138****5678" in page  # the caller's phone, masked


def test_a_satisfied_callback_takes_the_case_out_of_the_queue(loop: Loop) -> None:
    case = closed_in(loop)
    client = signed_in(loop.person("leader"))

    response = client.post(
        f"/supervise/callbacks/{case.pk}/",
        {"result": "satisfied", "note": "群众表示满意"},
        headers=HTMX,
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="case-{case.pk}"' not in body and "满意" in body
    callback = Callback.objects.get(case=case)
    assert (callback.result, callback.note) == (CallbackResult.SATISFIED, "群众表示满意")
    assert callback.by == loop.person("leader")
    assert fresh(case).state == CaseState.CLOSED
    assert case.number not in client.get("/supervise/callbacks/").content.decode()


def test_the_unsatisfied_button_says_it_reopens_and_it_does(loop: Loop) -> None:
    case = closed_in(loop)
    client = signed_in(loop.person("leader"))
    assert "不满意 · 重新启用" in client.get("/supervise/callbacks/").content.decode()

    response = client.post(
        f"/supervise/callbacks/{case.pk}/",
        {"result": "unsatisfied", "note": "噪音还在"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "重新启用" in response.content.decode()
    after = fresh(case)
    assert (after.state, after.reopened_count) == (CaseState.RECEIVED, 1)


def test_a_case_closed_again_after_reopening_is_due_a_new_callback(loop: Loop) -> None:
    case = closed_in(loop)
    leader, responder = loop.person("leader"), loop.person("responder")
    services.callback_record(actor=leader, case=case, result=CallbackResult.UNSATISFIED)
    services.case_dispatch(actor=loop.person("dispatcher"), case=fresh(case), people=[responder])
    services.assignment_accept(actor=responder, case=fresh(case))
    lat, lng = POINT["a"]
    services.assignment_arrive(actor=responder, case=fresh(case), lat=lat, lng=lng)
    services.assignment_resolve(actor=responder, case=fresh(case), note="第二次处置")
    services.case_verify(actor=leader, case=fresh(case))
    services.case_close(actor=leader, case=fresh(case))

    page = signed_in(leader).get("/supervise/callbacks/").content.decode()

    assert case.number in page and "重新启用 1 次" in page


@pytest.mark.parametrize("result", ["", "delighted"])
def test_a_callback_without_a_valid_result_saves_nothing(loop: Loop, result: str) -> None:
    case = closed_in(loop)
    response = signed_in(loop.person("leader")).post(
        f"/supervise/callbacks/{case.pk}/", {"result": result, "note": "?"}, headers=HTMX
    )
    assert response.status_code == 422
    assert "请选择回访结果" in response.content.decode()
    assert not Callback.objects.exists()
    assert fresh(case).state == CaseState.CLOSED


def test_a_too_long_note_saves_nothing(loop: Loop) -> None:
    case = closed_in(loop)
    response = signed_in(loop.person("leader")).post(
        f"/supervise/callbacks/{case.pk}/",
        {"result": "satisfied", "note": "长" * 1001},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert not Callback.objects.exists()


def test_a_town_a_leader_gets_404_calling_back_a_town_b_case(loop: Loop) -> None:
    theirs = closed_in(loop, "b")
    client = signed_in(loop.person("leader", "a"))
    response = client.post(f"/supervise/callbacks/{theirs.pk}/", {"result": "satisfied"})
    assert response.status_code == 404
    assert client.post(f"/supervise/callbacks/{theirs.pk}/caller/").status_code == 404
    assert not Callback.objects.exists()


@pytest.mark.parametrize("role", ["dispatcher", "responder"])
def test_only_leaders_and_admins_call_back(loop: Loop, role: str) -> None:
    case = closed_in(loop)
    client = signed_in(loop.person(role))
    assert client.get("/supervise/callbacks/").status_code == 403
    assert (
        client.post(f"/supervise/callbacks/{case.pk}/", {"result": "satisfied"}).status_code == 403
    )
    assert not Callback.objects.exists()


def test_the_satisfaction_rate_of_the_period_is_the_kpi_pages(loop: Loop) -> None:
    leader = loop.person("leader")
    for result in ("satisfied", "satisfied", "satisfied", "unsatisfied", "unreachable"):
        services.callback_record(actor=leader, case=closed_in(loop), result=CallbackResult(result))
    closed_in(loop, "b")  # another town's figures stay out

    page = signed_in(leader).get("/supervise/callbacks/", {"days": 7}).content.decode()

    now = timezone.now()
    kpi = kpi_loop(user=leader, since=now - timedelta(days=1), until=now + timedelta(minutes=1))
    assert kpi["totals"]["satisfaction_rate"] == 0.75
    assert "75.0%" in page
    assert "近 7 天" in page


def test_the_caller_number_is_revealed_on_request_and_audited(loop: Loop) -> None:
    case = closed_in(loop)
    leader = loop.person("leader")
    response = signed_in(leader).post(f"/supervise/callbacks/{case.pk}/caller/", headers=HTMX)
    assert response.status_code == 200
    assert "13812345678" in response.content.decode()
    entry = AuditEntry.objects.get(action="pii_revealed", target_id=str(case.pk))
    assert entry.actor == leader


def test_filters_and_search(loop: Loop) -> None:
    fight = closed_in(loop)
    noise = closed_in(loop, code="noise", description="夜间装修噪音扰民")
    client = signed_in(loop.person("leader"))
    body = client.get(
        "/supervise/callbacks/", {"q": "装修"}, headers={**HTMX, "HX-Target": "queue"}
    ).content.decode()
    assert noise.number in body and fight.number not in body
    assert "<html" not in body


def test_the_queue_takes_the_same_number_of_queries_for_more_cases(loop: Loop) -> None:
    client = signed_in(loop.person("leader"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/supervise/callbacks/").status_code == 200
        return len(captured)

    closed_in(loop)
    few = queries()
    for _ in range(3):
        closed_in(loop)
    assert queries() == few


def test_the_pages_render_in_english(loop: Loop) -> None:
    closed_in(loop)
    client = signed_in(loop.person("leader"))
    client.cookies["django_language"] = "en"
    for url in ("/supervise/callbacks/", "/supervise/verify/", "/notify/dead-letters/", "/kpi/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en"' in response.content.decode(), url
