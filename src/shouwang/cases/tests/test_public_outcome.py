"""The caller learns the outcome, not only step names: the command room writes a public summary
(no personal data) shown on the tracking page. A mistyped code gets the public lookup again, and
codes typed with spaces or in lower case are accepted (issue 15, "Citizens")."""

import pytest
from django.test import Client
from django.urls import reverse

from shouwang.cases.tests.factories import Loop, resolved
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def summary(loop: Loop, role: str, case_id: int, text: str):
    client = ApiClient(loop.person(role).username)
    return client.post(f"/api/v1/cases/{case_id}/public-summary", {"text": text})


@pytest.mark.parametrize("role", ["responder", "dispatcher"])
def test_the_caller_reads_the_outcome_the_responder_or_dispatcher_wrote(
    loop: Loop, role: str
) -> None:
    case = resolved(loop)

    response = summary(loop, role, case.pk, "经现场调解，双方已达成和解，噪音问题已解决。")

    assert response.status_code == 200, response.content
    assert response.json()["public_summary"].startswith("经现场调解")
    page = Client().get(f"/track/{case.receipt_code}/").content.decode()
    assert "处理结果" in page and "双方已达成和解" in page


@pytest.mark.parametrize("text", ["请联系13912345678", "当事人身份证330102199001011234"])
def test_a_summary_with_a_phone_or_id_number_is_refused(loop: Loop, text: str) -> None:
    case = resolved(loop)

    response = summary(loop, "dispatcher", case.pk, text)

    assert response.status_code == 422
    assert "个人信息" in response.json()["error"]["message"]


def test_someone_outside_the_command_room_may_not_write_the_summary(loop: Loop) -> None:
    case = resolved(loop)

    assert summary(loop, "volunteer", case.pk, "已处理").status_code in {403, 404}


def test_a_wrong_code_shows_the_public_lookup_with_the_code_to_correct(loop: Loop) -> None:
    response = Client().get("/track/NOSUCHCODE00/")

    assert response.status_code == 404
    page = response.content.decode()
    assert 'name="code"' in page and 'value="NOSUCHCODE00"' in page
    assert "没有找到这个查询码" in page
    assert reverse("login") not in page


def test_codes_typed_with_spaces_or_in_lower_case_are_accepted(loop: Loop) -> None:
    case = resolved(loop)
    code = case.receipt_code
    typed = f" {code[:4].lower()} {code[4:8]}-{code[8:].lower()} "

    looked_up = Client().get("/track/", {"code": typed})
    direct = Client().get(f"/track/{code[:6].lower()}%20{code[6:]}/")

    assert looked_up.status_code == 302
    assert looked_up["Location"] == f"/track/{code}/"
    assert direct.status_code == 200 and code in direct.content.decode()
