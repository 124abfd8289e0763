"""The models in the product: intake's duplicates carry the same-matter reason, the intake
screen offers the category suggestion, and a dispute call's risk comes with the model's
reasons."""

import pytest
from django.test import Client

from shouwang.cases import feeders, services
from shouwang.cases.models import CaseChannel
from shouwang.cases.tests.factories import POINT, Loop, category
from shouwang.mediation.risk import risk_score

pytestmark = pytest.mark.django_db


def intake(loop: Loop, **kw: object):
    lat, lng = POINT["a"]
    args = {
        "actor": loop.person("dispatcher"),
        "category": category("noise"),
        "description": "楼上KTV声音太大睡不着",
        "channel": CaseChannel.PHONE_110,
        "lat": lat,
        "lng": lng,
        "caller_phone": "13800138000",
        **kw,
    }
    return services.case_intake(**args)  # type: ignore[arg-type]


def test_a_repeat_call_from_the_same_caller_shows_why_it_is_a_duplicate(loop: Loop) -> None:
    first = intake(loop).case
    second = intake(loop, description="刚才报过噪音，怎么还没人来")
    assert [d.case for d in second.duplicates] == [first]
    found = second.duplicates[0]
    assert found.reason.startswith("同一来电人，") and found.reason.endswith("报过同一地点")
    assert 0.5 <= found.score <= 1.0


def test_the_intake_screen_offers_the_category_suggestion(loop: Loop) -> None:
    client = Client()
    client.force_login(loop.person("dispatcher"))
    page = client.get("/console/new/").content.decode()
    assert 'id="category-suggestion"' in page
    assert 'data-src="/api/v1/insight/suggest-category"' in page
    assert "shouwang/insight/suggest-category" in page


def test_a_dispute_call_with_threats_and_a_knife_scores_high_with_reasons(loop: Loop) -> None:
    case = intake(
        loop, category=category("neighbour_dispute"), description="邻居酒后拿着菜刀扬言要报复"
    ).case
    score, reasons = risk_score(case=feeders.Case.objects.get(pk=case.pk))
    assert score >= 0.5
    assert {"提及饮酒", "提及持刀或器械", "提及威胁"} <= set(reasons)
