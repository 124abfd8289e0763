"""The three models, trained on a small seeded split and evaluated on the test split: the
evaluation runs, its figures beat the simple baselines, and the pieces behave as documented."""

from datetime import UTC, datetime

import pytest

from shouwang.insight.ml import artifacts, synth
from shouwang.insight.ml.evaluate import evaluate
from shouwang.insight.ml.taxonomy import resolve_category
from shouwang.insight.ml.text import parse_address


@pytest.fixture(scope="module")
def small_models() -> artifacts.Models:
    return artifacts.train(matters=300)


def test_the_generator_gives_the_same_calls_for_the_same_seed() -> None:
    first = synth.dataset("test", matters=40)
    again = synth.dataset("test", matters=40)
    assert [x.call for x in first] == [x.call for x in again]
    assert {x.call.id for x in first}.isdisjoint(
        {x.call.id for x in synth.dataset("train", matters=40)}
    )


def test_the_evaluation_runs_and_every_model_beats_its_baselines(
    small_models: artifacts.Models,
) -> None:
    figures = evaluate(matters=300, models=small_models)

    same = figures["same_matter"]
    assert same["model"]["f1"] >= 0.75
    assert same["model"]["f1"] > same["baseline_same_phone"]["f1"] + 0.05
    assert same["model"]["f1"] > same["baseline_100m_2h_family"]["f1"] + 0.05
    category = figures["category"]
    assert category["model_macro_f1"] >= 0.85 > category["baseline_keywords_macro_f1"]
    risk = figures["risk"]
    assert risk["model_auc"] >= 0.7 and risk["model_auc"] > risk["baseline_rule_auc"]


def test_free_text_categories_resolve_to_our_codes() -> None:
    assert resolve_category("theft") == "theft"
    assert resolve_category("盗窃") == "theft"
    assert resolve_category("纠纷-邻里") == "neighbour_dispute"
    assert resolve_category("矛盾纠纷类") == "disputes"
    assert resolve_category("外星人") == ""


def test_three_phrasings_of_one_address_share_their_identifying_parts() -> None:
    full = parse_address("义乌市稠城街道稠州北路八十八号")
    short = parse_address("稠州北路88号附近")
    assert full.road_number == short.road_number == "稠州北路88"
    flat = parse_address("福田小区三幢五零二室")
    assert (flat.place, flat.building, flat.flat) == ("福田", "3", "502")
    assert parse_address("福田社区3栋502").key() == flat.key()


def test_a_matter_groups_a_repeat_call_and_says_why(small_models: artifacts.Models) -> None:
    from shouwang.insight.ml.calls import Call
    from shouwang.insight.ml.matter import MatterIndex

    index = MatterIndex(small_models.pair)
    at = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    first = Call("1", at, "k1", 29.30, 120.07, "宾王市场门口", "noise", "宾王市场KTV声音太大睡不着")
    again = Call(
        "2",
        at.replace(hour=4),
        "k1",
        29.3001,
        120.0701,
        "宾王市场",
        "noise",
        "刚才报过噪音，怎么还没人来",
    )
    elsewhere = Call(
        "3", at.replace(hour=4), "k9", 29.35, 120.12, "江东中路5号", "theft", "电动车被偷了"
    )
    _p, m1 = index.add(first)
    _p, m2 = index.add(again)
    _p, m3 = index.add(elsewhere)
    assert m2.matter == m1.matter != m3.matter
    assert m2.reason == "同一来电人，2小时前报过同一地点"
