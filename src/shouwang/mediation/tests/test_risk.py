"""The 民转刑 loop: a third call about one place raises an alert for its town; the town
follows it up; overdue follow-ups escalate; a later fight at the place links back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.cases import feeders
from shouwang.mediation import alerts, workers
from shouwang.mediation.models import AlertState, RiskAlert, RiskScore, RiskThreshold
from shouwang.mediation.risk import risk_score
from shouwang.mediation.tests.conftest import Mediation, call
from shouwang.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

NOISE = "楼上装修噪音扰民，多次沟通无果"


def noise_calls(mediation: Mediation, count: int, town: str = "a") -> list[int]:
    dispatcher = mediation.api("dispatcher", town)
    ids = []
    for _ in range(count):
        ids.append(call(dispatcher, category="noise", description=NOISE))
        workers.risk_sweep(now=timezone.now())
    return ids


def test_a_third_noise_call_at_one_address_raises_an_alert_a_town_dispatcher_follows_up(
    mediation: Mediation,
) -> None:
    first, second, third = noise_calls(mediation, 3)
    alert = RiskAlert.objects.get()
    assert alert.case_id == third and alert.state == AlertState.OPEN
    assert "7天内同一地址第3次报警" in alert.reasons
    assert set(alert.related_case_ids) == {first, second, third}
    pushed = OutboxMessage.objects.filter(subject_type="mediation.RiskAlert").get()
    assert "unit.PS-001" in pushed.recipient and "screen.330782001000" in pushed.recipient

    town_a = mediation.city.a.node.code
    dispatcher = mediation.api("dispatcher")
    listed = dispatcher.get("/api/v1/risk/alerts", node=town_a).json()
    assert [a["id"] for a in listed["items"]] == [alert.pk]
    done = dispatcher.post(
        f"/api/v1/risk/alerts/{alert.pk}/follow-up",
        {"outcome": "warned", "note": "上门警示，双方同意调解", "method": "visit"},
    )
    assert done.status_code == 200 and done.json()["state"] == "followed_up"
    assert done.json()["outcome"] == "warned"
    again = dispatcher.post(f"/api/v1/risk/alerts/{alert.pk}/follow-up", {"outcome": "warned"})
    assert again.status_code == 409
    note = feeders.Case.objects.get(pk=third).timeline.filter(data__source="mediation.risk")
    assert note.count() == 2


def test_two_calls_at_one_address_raise_no_alert(mediation: Mediation) -> None:
    noise_calls(mediation, 2)
    assert not RiskAlert.objects.exists()
    assert RiskScore.objects.count() == 2


def test_the_sweep_scores_each_call_once(mediation: Mediation) -> None:
    noise_calls(mediation, 3)
    assert workers.risk_sweep(now=timezone.now()) == 0
    assert RiskScore.objects.count() == 3 and RiskAlert.objects.count() == 1


def test_a_fourth_call_strengthens_the_open_alert_instead_of_opening_another(
    mediation: Mediation,
) -> None:
    ids = noise_calls(mediation, 4)
    alert = RiskAlert.objects.get()
    assert ids[3] in alert.related_case_ids


def test_cues_in_the_text_give_their_reasons(mediation: Mediation) -> None:
    case_id = call(mediation.api("dispatcher"), description="男子酒后持刀威胁邻居")
    score, reasons = risk_score(case=feeders.Case.objects.get(pk=case_id))
    assert {"提及饮酒", "提及持刀或器械", "提及威胁"} <= set(reasons)
    assert 0.6 <= score <= 1.0


def test_a_towns_own_threshold_holds_back_an_alert(mediation: Mediation) -> None:
    RiskThreshold.objects.create(node=mediation.city.a.node, threshold=0.95)
    noise_calls(mediation, 3)
    assert not RiskAlert.objects.exists()


def test_another_town_neither_sees_nor_follows_up_the_alert(mediation: Mediation) -> None:
    noise_calls(mediation, 3)
    alert = RiskAlert.objects.get()
    other = mediation.api("dispatcher", "b")
    assert other.get("/api/v1/risk/alerts").json()["count"] == 0
    assert other.get("/api/v1/risk/alerts", node=mediation.city.a.node.code).status_code == 404
    response = other.post(f"/api/v1/risk/alerts/{alert.pk}/follow-up", {"outcome": "no_risk"})
    assert response.status_code == 404
    mediator = mediation.api("mediator")
    assert mediator.get("/api/v1/risk/alerts").json()["count"] == 0
    assert RiskAlert.objects.get().state == AlertState.OPEN


def test_an_invalid_outcome_is_refused(mediation: Mediation) -> None:
    noise_calls(mediation, 3)
    alert = RiskAlert.objects.get()
    response = mediation.api("dispatcher").post(
        f"/api/v1/risk/alerts/{alert.pk}/follow-up", {"outcome": "ignored"}
    )
    assert response.status_code == 422
    assert RiskAlert.objects.get().state == AlertState.OPEN


def test_a_follow_up_overdue_after_24_hours_escalates_to_leaders_once(
    mediation: Mediation,
) -> None:
    noise_calls(mediation, 3)
    later = timezone.now() + timedelta(hours=25)
    assert alerts.alerts_escalate(now=later) == 1
    assert alerts.alerts_escalate(now=later) == 0
    leader = mediation.person("leader")
    assert OutboxMessage.objects.filter(
        person=leader, payload__type="mediation.risk_alert_overdue"
    ).exists()


def test_a_later_fight_at_the_place_links_back_to_the_alert(mediation: Mediation) -> None:
    noise_calls(mediation, 3)
    fight = call(mediation.api("dispatcher"), category="fight", description="两户邻居打架")
    workers.risk_sweep(now=timezone.now())
    alert = RiskAlert.objects.get()
    assert alert.later_incident_id == fight
    figures = mediation.api("leader").get("/api/v1/mediations/figures").json()["risk"]
    assert figures["alerts"] == 1 and figures["later_incidents"] == 1
    assert figures["flagged"] == figures["flagged_incidents"] == 1
    assert figures["unflagged"] == figures["unflagged_incidents"] == 2


def test_a_fight_elsewhere_links_to_no_alert(mediation: Mediation) -> None:
    noise_calls(mediation, 3)
    call(
        mediation.api("dispatcher"),
        category="fight",
        description="路口两人打架",
        point=(29.15, 120.05),
        address="稠城街道另一条路9号",
    )
    workers.risk_sweep(now=timezone.now())
    assert RiskAlert.objects.get().later_incident_id is None
