"""The batch contract: `shouwang insight score-calls IN.jsonl OUT.jsonl` writes one line per
call with its matter, risk and reasons; a call's risk does not depend on later calls."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shouwang.cli import main


def write(path: Path, calls: list[dict]) -> Path:
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in calls), "utf-8")
    return path


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


CALLS = [
    {
        "id": "a1",
        "received_at": "2026-11-03T22:10:00+08:00",
        "caller_phone": "13800000001",
        "lat": 29.3069,
        "lng": 120.0751,
        "address": "福田小区3幢502室",
        "category": "纠纷-邻里",
        "text": "502室和楼下402室因为漏水吵起来，对方喝了酒",
    },
    {
        "id": "a2",
        "received_at": "2026-11-03T23:40:00+08:00",
        "caller_phone": "13800000001",
        "lat": 29.3070,
        "lng": 120.0752,
        "address": "福田社区三栋502",
        "category": "neighbour_dispute",
        "text": "刚才报过漏水的事，楼下扬言要报复，拿着菜刀",
    },
    {
        "id": "b1",
        "received_at": "2026-11-03T22:30:00+08:00",
        "caller_phone": "",
        "lat": 29.3500,
        "lng": 120.1200,
        "address": "江东中路5号",
        "category": "盗窃",
        "text": "停在江东中路的黑色电动车被偷了",
    },
]


def test_score_calls_writes_one_line_per_call_and_groups_a_repeat_call(tmp_path: Path) -> None:
    source, target = write(tmp_path / "in.jsonl", CALLS), tmp_path / "out.jsonl"

    main(["shouwang", "insight", "score-calls", str(source), str(target)])

    out = {r["id"]: r for r in read(target)}
    assert [r["id"] for r in read(target)] == ["a1", "a2", "b1"]
    assert out["a1"]["matter"] == out["a2"]["matter"] != out["b1"]["matter"]
    assert out["a2"]["reasons"][0] == "同一来电人，2小时前报过同一地点"
    assert 0.0 <= out["a1"]["risk"] <= out["a2"]["risk"] <= 1.0
    assert out["b1"]["risk"] == 0.0 and out["b1"]["reasons"] == []


def test_a_calls_risk_uses_only_earlier_calls(tmp_path: Path) -> None:
    alone = tmp_path / "alone.jsonl"
    call_command("insight", "score-calls", str(write(tmp_path / "1.jsonl", CALLS[:1])), str(alone))
    together = tmp_path / "together.jsonl"
    call_command("insight", "score-calls", str(write(tmp_path / "3.jsonl", CALLS)), str(together))
    assert read(alone)[0] == read(together)[0]


def test_a_call_without_an_offset_is_refused(tmp_path: Path) -> None:
    bad = [{**CALLS[0], "received_at": "2026-11-03T22:10:00"}]
    with pytest.raises(CommandError):
        call_command(
            "insight", "score-calls", str(write(tmp_path / "in.jsonl", bad)), str(tmp_path / "o")
        )
