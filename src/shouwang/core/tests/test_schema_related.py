"""related(path) answers what a dotted alias answered: the value at the end of the path of
attributes or keys, None where a link is empty, through ninja's resolvers (same field names)."""

from types import SimpleNamespace

from ninja import Schema

from shouwang.core.schema_related import related


class UnitBrief(Schema):
    code: str | None = None
    resolve_code = related("unit.code")
    town: str | None = None
    resolve_town = related("unit.node.name")


def test_the_path_is_walked_through_objects_and_dicts() -> None:
    unit = SimpleNamespace(code="PCS-1", node={"name": "稠城街道"})
    answer = UnitBrief.model_validate(SimpleNamespace(unit=unit))
    assert answer.model_dump() == {"code": "PCS-1", "town": "稠城街道"}


def test_an_empty_link_is_none() -> None:
    answer = UnitBrief.model_validate(SimpleNamespace(unit=None))
    assert answer.model_dump() == {"code": None, "town": None}
    half = UnitBrief.model_validate(SimpleNamespace(unit=SimpleNamespace(code="X", node=None)))
    assert half.model_dump() == {"code": "X", "town": None}


class UnitDetail(UnitBrief):
    note: str


def test_an_answer_built_from_another_keeps_its_fields() -> None:
    brief = UnitBrief.model_validate(SimpleNamespace(unit=SimpleNamespace(code="X", node=None)))
    detail = UnitDetail(**brief.model_dump(), note="备注")
    assert detail.model_dump() == {"code": "X", "town": None, "note": "备注"}
    assert UnitDetail.model_validate(detail).model_dump() == detail.model_dump()
