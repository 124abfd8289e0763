"""A mediation file through the API, as dispatchers and mediators use it, and what is refused."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from shouwang.cases import feeders
from shouwang.mediation.models import MediationFile, Party
from shouwang.mediation.tests.conftest import PARTIES, Mediation, call, open_file

pytestmark = pytest.mark.django_db


def agree(api, file_id: int, amount: str = "5000", due: date | None = None) -> int:
    response = api.post(
        f"/api/v1/mediations/{file_id}/agreement",
        {
            "facts": "楼上漏水致楼下天花板受损",
            "obligations": [
                {
                    "debtor": "respondent",
                    "amount": amount,
                    "due": str(due or timezone.localdate() + timedelta(days=10)),
                    "how": "银行转账",
                    "where": "调解工作室",
                }
            ],
        },
    )
    assert response.status_code == 201, response.content
    return int(response.json()["obligations"][0])


def pay(api, file_id: int, obligation: int, amount: str):
    return api.post(
        f"/api/v1/mediations/{file_id}/payments",
        {"obligation": obligation, "amount": amount, "at": timezone.now().isoformat()},
    )


def test_a_dispute_goes_from_a_call_to_a_performed_agreement_with_money_recovered(
    mediation: Mediation,
) -> None:
    dispatcher, mediator = mediation.api("dispatcher"), mediation.api("mediator")
    case_id = call(dispatcher)
    file_id = open_file(dispatcher, case_id)

    session = mediator.post(
        f"/api/v1/mediations/{file_id}/sessions",
        {"at": timezone.now().isoformat(), "place": "幸福路社区调解室", "record": "双方陈述"},
    )
    assert session.status_code == 201
    detail = mediator.get(f"/api/v1/mediations/{file_id}").json()
    assert detail["state"] == "mediating"
    accepted = MediationFile.objects.get(pk=file_id).accepted_at
    assert detail["deadline"][:10] == (accepted + timedelta(days=30)).date().isoformat()

    obligation = agree(mediator, file_id)
    assert pay(mediator, file_id, obligation, "2000").status_code == 201
    too_much = pay(mediator, file_id, obligation, "3000.01")
    assert too_much.status_code == 422
    assert too_much.json()["error"]["extra"]["owed"] == "3000.00"
    last = pay(mediator, file_id, obligation, "3000")
    assert last.status_code == 201 and last.json()["state"] == "performed"

    detail = mediator.get(f"/api/v1/mediations/{file_id}").json()
    assert detail["state"] == "performed"
    assert Decimal(detail["money_recovered"]) == Decimal("5000")
    case = feeders.Case.objects.get(pk=case_id)
    assert case.state == feeders.CaseState.CLOSED
    notes = [e.data.get("text", "") for e in case.timeline.filter(data__source="mediation")]
    assert any("受理调解" in n for n in notes) and any("履行" in n for n in notes)


def test_parties_are_stored_encrypted_and_shown_masked(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    file_id = open_file(dispatcher, call(dispatcher))
    party = Party.objects.get(file_id=file_id, role="applicant")
    assert party.name_masked == "张*丰" and party.phone_masked == "139****1111"
    assert "张三丰" not in party.name_cipher and "13900001111" not in party.phone_cipher
    shown = dispatcher.get(f"/api/v1/mediations/{file_id}").json()["parties"]
    assert {p["name"] for p in shown} == {"张*丰", "李*"}
    assert "13900001111" not in str(shown)


def test_a_case_that_is_not_a_dispute_cannot_be_mediated(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    case_id = call(dispatcher, category="theft", description="电动车被偷")
    response = dispatcher.post(
        f"/api/v1/cases/{case_id}/mediation",
        {"studio": "MS-001", "parties": PARTIES, "amount_in_dispute": "0"},
    )
    assert response.status_code == 409
    assert not MediationFile.objects.exists()


def test_a_case_gets_one_file_only(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    case_id = call(dispatcher)
    open_file(dispatcher, case_id)
    again = dispatcher.post(
        f"/api/v1/cases/{case_id}/mediation", {"studio": "MS-001", "parties": PARTIES}
    )
    assert again.status_code == 409
    assert MediationFile.objects.count() == 1


def test_another_towns_dispatcher_cannot_open_a_file_for_a_case_they_do_not_see(
    mediation: Mediation,
) -> None:
    case_id = call(mediation.api("dispatcher"))
    response = mediation.api("dispatcher", "b").post(
        f"/api/v1/cases/{case_id}/mediation", {"studio": "MS-002", "parties": PARTIES}
    )
    assert response.status_code == 404
    assert not MediationFile.objects.exists()


def test_a_volunteer_cannot_open_a_file(mediation: Mediation) -> None:
    case_id = call(mediation.api("dispatcher"))
    response = mediation.api("volunteer").post(
        f"/api/v1/cases/{case_id}/mediation", {"studio": "MS-001", "parties": PARTIES}
    )
    assert response.status_code == 403
    assert not MediationFile.objects.exists()


def test_a_mediator_accepts_only_into_their_own_studio(mediation: Mediation) -> None:
    case_id = call(mediation.api("dispatcher"))
    response = mediation.api("mediator").post(
        f"/api/v1/cases/{case_id}/mediation", {"studio": "MS-002", "parties": PARTIES}
    )
    assert response.status_code == 403


def test_an_unknown_studio_or_missing_respondent_is_invalid(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    case_id = call(dispatcher)
    unknown = dispatcher.post(
        f"/api/v1/cases/{case_id}/mediation", {"studio": "NOPE", "parties": PARTIES}
    )
    one_sided = dispatcher.post(
        f"/api/v1/cases/{case_id}/mediation",
        {"studio": "MS-001", "parties": [PARTIES[0], {**PARTIES[0], "name": "王五"}]},
    )
    assert unknown.status_code == one_sided.status_code == 422
    assert not MediationFile.objects.exists()


def test_a_mediator_sees_only_the_files_of_their_studio(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    file_id = open_file(dispatcher, call(dispatcher))
    other = mediation.api("mediator", "b")
    assert other.get(f"/api/v1/mediations/{file_id}").status_code == 404
    assert other.get("/api/v1/mediations").json()["count"] == 0
    session = other.post(
        f"/api/v1/mediations/{file_id}/sessions",
        {"at": timezone.now().isoformat(), "place": "x", "record": "x"},
    )
    assert session.status_code == 404
    assert mediation.api("mediator").get("/api/v1/mediations").json()["count"] == 1


def test_a_dispatcher_reads_a_file_but_does_not_record_its_sessions(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    file_id = open_file(dispatcher, call(dispatcher))
    response = dispatcher.post(
        f"/api/v1/mediations/{file_id}/sessions",
        {"at": timezone.now().isoformat(), "place": "x", "record": "x"},
    )
    assert response.status_code == 403
    assert not MediationFile.objects.get(pk=file_id).sessions.exists()


def test_the_time_limit_is_extended_once_with_a_reason(mediation: Mediation) -> None:
    dispatcher, mediator = mediation.api("dispatcher"), mediation.api("mediator")
    file_id = open_file(dispatcher, call(dispatcher))
    before = MediationFile.objects.get(pk=file_id).deadline
    first = mediator.post(f"/api/v1/mediations/{file_id}/extend", {"reason": "当事人外出务工"})
    assert first.status_code == 200
    assert MediationFile.objects.get(pk=file_id).deadline == before + timedelta(days=30)
    second = mediator.post(f"/api/v1/mediations/{file_id}/extend", {"reason": "再延"})
    assert second.status_code == 409
    assert MediationFile.objects.get(pk=file_id).deadline == before + timedelta(days=30)


def test_a_failed_mediation_records_the_referral_and_takes_no_more_sessions(
    mediation: Mediation,
) -> None:
    dispatcher, mediator = mediation.api("dispatcher"), mediation.api("mediator")
    file_id = open_file(dispatcher, call(dispatcher))
    failed = mediator.post(
        f"/api/v1/mediations/{file_id}/fail", {"referral": "litigation", "reason": "分歧过大"}
    )
    assert failed.status_code == 200 and failed.json()["state"] == "failed"
    assert failed.json()["referral"] == "litigation"
    session = mediator.post(
        f"/api/v1/mediations/{file_id}/sessions",
        {"at": timezone.now().isoformat(), "place": "x", "record": "x"},
    )
    assert session.status_code == 409


def test_a_payment_before_any_agreement_or_on_another_files_obligation_is_refused(
    mediation: Mediation,
) -> None:
    dispatcher, mediator = mediation.api("dispatcher"), mediation.api("mediator")
    first = open_file(dispatcher, call(dispatcher))
    second = open_file(dispatcher, call(dispatcher, address="幸福路2号"))
    assert pay(mediator, first, 1, "10").status_code == 409
    obligation = agree(mediator, first)
    agree(mediator, second)
    assert pay(mediator, second, obligation, "10").status_code == 422


def test_the_agreement_prints_as_a_pdf_with_masked_parties_and_amounts(
    mediation: Mediation,
) -> None:
    dispatcher, mediator = mediation.api("dispatcher"), mediation.api("mediator")
    file_id = open_file(dispatcher, call(dispatcher))
    assert mediator.get(f"/api/v1/mediations/{file_id}/agreement.pdf").status_code == 404
    agree(mediator, file_id, amount="12345.60")
    response = mediator.get(f"/api/v1/mediations/{file_id}/agreement.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "人民调解协议书" in text
    assert "张*丰" in text and "李*" in text and "12,345.60" in text
    assert "张三丰" not in text and "13900001111" not in text


def test_a_mediator_opens_a_walk_in_dispute_as_a_new_case(mediation: Mediation) -> None:
    mediator = mediation.api("mediator")
    response = mediator.post(
        "/api/v1/mediations",
        {
            "studio": "MS-001",
            "category": "labour_dispute",
            "description": "工人来访反映被拖欠工资",
            "lat": 29.1,
            "lng": 120.05,
            "parties": PARTIES,
            "amount_in_dispute": "8000",
        },
    )
    assert response.status_code == 201, response.content
    case = feeders.Case.objects.get(pk=response.json()["case"])
    assert case.channel == "walk_in" and case.kind == "dispute"
    assert MediationFile.objects.get(pk=response.json()["id"]).mediators.count() == 1


def test_figures_count_accepted_success_and_money(mediation: Mediation) -> None:
    dispatcher, mediator = mediation.api("dispatcher"), mediation.api("mediator")
    done = open_file(dispatcher, call(dispatcher))
    open_file(dispatcher, call(dispatcher, address="幸福路3号"), amount="100")
    obligation = agree(mediator, done, amount="800")
    pay(mediator, done, obligation, "800")
    figures = mediation.api("leader").get("/api/v1/mediations/figures").json()
    totals = figures["totals"]
    assert totals["accepted"] == 2 and totals["succeeded"] == 1
    assert totals["success_rate"] == 1.0 and totals["on_time_rate"] == 1.0
    assert Decimal(totals["money_recovered"]) == Decimal("800")
    assert Decimal(totals["amount_in_dispute"]) == Decimal("5100")
    assert [row["code"] for row in figures["by_studio"]] == ["MS-001"]
    assert (
        mediation.api("leader", "b").get("/api/v1/mediations/figures").json()["totals"]["accepted"]
        == 0
    )


def test_an_agreement_is_made_once_and_callbacks_wait_for_performance(
    mediation: Mediation,
) -> None:
    dispatcher, mediator = mediation.api("dispatcher"), mediation.api("mediator")
    file_id = open_file(dispatcher, call(dispatcher))
    party = mediator.get(f"/api/v1/mediations/{file_id}").json()["parties"][0]["id"]
    early = mediator.post(f"/api/v1/mediations/{file_id}/callback", {"party": party})
    assert early.status_code == 409
    obligation = agree(mediator, file_id, amount="100")
    again = mediator.post(
        f"/api/v1/mediations/{file_id}/agreement",
        {"obligations": [{"debtor": "respondent", "amount": "1", "due": "2030-01-01"}]},
    )
    assert again.status_code == 409
    pay(mediator, file_id, obligation, "100")
    done = mediator.post(
        f"/api/v1/mediations/{file_id}/callback", {"party": party, "note": "已收到"}
    )
    assert done.status_code == 201


def test_listing_files_costs_the_same_queries_for_one_or_many(mediation: Mediation) -> None:
    dispatcher = mediation.api("dispatcher")
    open_file(dispatcher, call(dispatcher))
    leader = mediation.api("leader")
    with CaptureQueriesContext(connection) as one:
        assert leader.get("/api/v1/mediations").json()["count"] == 1
    for n in range(3):
        open_file(dispatcher, call(dispatcher, address=f"幸福路{n + 10}号"))
    with CaptureQueriesContext(connection) as many:
        assert leader.get("/api/v1/mediations").json()["count"] == 4
    assert len(many.captured_queries) == len(one.captured_queries)
