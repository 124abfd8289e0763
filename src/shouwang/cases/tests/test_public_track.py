"""The tracking page by receipt code: public progress only (states and times), nobody's personal
data; and the citizen's own rating once the case is closed — once per closure, unsatisfied
reopening the case, by callback_record's rules without a leader."""

import pytest
from django.test import Client

from shouwang.cases import services
from shouwang.cases.models import Callback, CallbackResult, Case, TimelineKind
from shouwang.cases.services.citizen import citizen_callback_record
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import Loop, closed, fresh, resolved
from shouwang.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound

pytestmark = pytest.mark.django_db

CALLER_PHONE = "13912345678"
REPORTER = "王小明"
DESCRIPTION = "幸福路12号门口两人打架，一人头部流血"
ADDRESS = "幸福路12号"


def closed_call(loop: Loop) -> Case:
    return closed(
        loop,
        reporter_name=REPORTER,
        caller_phone=CALLER_PHONE,
        description=DESCRIPTION,
        address=ADDRESS,
    )


def test_an_unknown_code_is_404(loop: Loop) -> None:
    assert Client().get("/track/NOSUCHCODE00/").status_code == 404
    assert Client().post("/track/NOSUCHCODE00/rate/", {"result": "satisfied"}).status_code == 404


def test_the_lookup_form_leads_to_the_tracking_page(loop: Loop) -> None:
    case = closed_call(loop)
    assert Client().get("/track/").status_code == 200
    response = Client().get("/track/", {"code": f" {case.receipt_code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.receipt_code}/"


def test_tracking_shows_public_steps_and_times(loop: Loop) -> None:
    case = closed_call(loop)
    response = Client().get(f"/track/{case.receipt_code}/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("受理", "接单", "到场", "处置完毕", "核查通过", "结案"):
        assert f"{label}</li>" in html, label
    assert "已结案" in html
    assert case.category.name in html


def test_tracking_shows_nobodys_personal_data(loop: Loop) -> None:
    case = closed_call(loop)
    html = Client().get(f"/track/{case.receipt_code}/").content.decode()
    responder = loop.person("responder")
    leader = loop.person("leader")
    dispatcher = loop.person("dispatcher")
    forbidden = [
        REPORTER,
        CALLER_PHONE,
        case.caller_phone_masked,
        DESCRIPTION,
        ADDRESS,
        "双方已劝离",  # the responder's note
        responder.full_name,
        responder.username,
        leader.full_name,
        dispatcher.full_name,
        loop.city.a.station.name,
        f"{case.lat:.4f}",
    ]
    for text in forbidden:
        assert text and text not in html, text


def test_a_lower_case_code_finds_the_case(loop: Loop) -> None:
    case = closed_call(loop)
    assert Client().get(f"/track/{case.receipt_code.lower()}/").status_code == 200


def test_no_rating_before_the_case_is_closed(loop: Loop) -> None:
    case = resolved(loop)
    page = Client().get(f"/track/{case.receipt_code}/").content.decode()
    assert "您对处理结果满意吗" not in page
    response = Client().post(f"/track/{case.receipt_code}/rate/", {"result": "satisfied"})
    assert response.status_code == 409
    assert not Callback.objects.exists()


def test_the_citizen_rates_a_closed_case_once(loop: Loop) -> None:
    case = closed_call(loop)
    client = Client()
    assert "您对处理结果满意吗" in client.get(f"/track/{case.receipt_code}/").content.decode()
    response = client.post(
        f"/track/{case.receipt_code}/rate/", {"result": "satisfied", "note": "民警来得很快"}
    )
    assert response.status_code == 302
    callback = Callback.objects.get()
    assert (callback.result, callback.note, callback.by) == ("satisfied", "民警来得很快", None)
    event = case.timeline.get(kind=TimelineKind.CALLBACK)
    assert event.is_public and event.actor is None
    assert fresh(case).state == CaseState.CLOSED
    page = client.get(f"/track/{case.receipt_code}/").content.decode()
    assert "您的评价：满意" in page and "您对处理结果满意吗" not in page
    assert "民警来得很快" not in page  # the comment is not shown back on a shareable link

    again = client.post(f"/track/{case.receipt_code}/rate/", {"result": "unsatisfied"})
    assert again.status_code == 409
    assert "已评价过" in again.content.decode()
    assert Callback.objects.count() == 1
    assert fresh(case).state == CaseState.CLOSED


def test_an_unsatisfied_rating_reopens_the_case(loop: Loop) -> None:
    case = closed_call(loop)
    response = Client().post(
        f"/track/{case.receipt_code}/rate/", {"result": "unsatisfied", "note": "打人者没有处理"}
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == CaseState.RECEIVED and case.reopened_count == 1 and case.round == 2
    reopened = case.timeline.get(kind=TimelineKind.REOPENED)
    assert reopened.data["callback"] == Callback.objects.get().pk and reopened.actor is None
    page = Client().get(f"/track/{case.receipt_code}/").content.decode()
    assert "重新启用</li>" in page and "您的评价：不满意" in page
    again = Client().post(f"/track/{case.receipt_code}/rate/", {"result": "satisfied"})
    assert again.status_code == 409
    assert Callback.objects.count() == 1


def test_a_closure_already_called_back_by_staff_is_not_rated_again(loop: Loop) -> None:
    case = closed_call(loop)
    services.callback_record(
        actor=loop.person("leader"), case=case, result=CallbackResult.SATISFIED
    )
    page = Client().get(f"/track/{case.receipt_code}/").content.decode()
    assert "您对处理结果满意吗" not in page
    response = Client().post(f"/track/{case.receipt_code}/rate/", {"result": "unsatisfied"})
    assert response.status_code == 409
    assert Callback.objects.count() == 1 and fresh(case).state == CaseState.CLOSED


def test_a_rating_must_be_satisfied_or_unsatisfied(loop: Loop) -> None:
    case = closed_call(loop)
    for result in ("", "unreachable", "great"):
        response = Client().post(
            f"/track/{case.receipt_code}/rate/", {"result": result, "note": "我的意见"}
        )
        assert response.status_code == 422, result
        assert "请选择满意或不满意" in response.content.decode()
        assert "我的意见" in response.content.decode()  # what was typed is kept
    assert not Callback.objects.exists()


def test_too_long_a_comment_is_refused(loop: Loop) -> None:
    case = closed_call(loop)
    response = Client().post(
        f"/track/{case.receipt_code}/rate/", {"result": "satisfied", "note": "好" * 501}
    )
    assert response.status_code == 422
    assert not Callback.objects.exists()


def test_the_service_refuses_what_the_page_refuses(loop: Loop) -> None:
    case = closed_call(loop)
    with pytest.raises(NotFound):
        citizen_callback_record(receipt_code="NOSUCHCODE00", result=CallbackResult.SATISFIED)
    with pytest.raises(InvalidInput):
        citizen_callback_record(receipt_code=case.receipt_code, result=CallbackResult.UNREACHABLE)
    citizen_callback_record(receipt_code=case.receipt_code, result=CallbackResult.SATISFIED)
    with pytest.raises(Conflict):
        citizen_callback_record(receipt_code=case.receipt_code, result=CallbackResult.SATISFIED)
    with pytest.raises(IllegalTransition):
        citizen_callback_record(
            receipt_code=resolved(loop).receipt_code, result=CallbackResult.SATISFIED
        )


def test_the_rating_form_needs_the_csrf_token(loop: Loop) -> None:
    case = closed_call(loop)
    response = Client(enforce_csrf_checks=True).post(
        f"/track/{case.receipt_code}/rate/", {"result": "satisfied"}
    )
    assert response.status_code == 403
    assert not Callback.objects.exists()
