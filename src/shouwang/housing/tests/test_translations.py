"""The housing app speaks English completely: every Chinese source string of its catalogue has
an English translation, and none is left fuzzy."""

from pathlib import Path

from shouwang.core.tests.test_translations import entries

CATALOGUE = Path(__file__).parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_housing_string_has_an_english_translation() -> None:
    items = [e for e in entries(CATALOGUE.read_text(encoding="utf-8")) if e.get("msgid")]
    assert items
    assert [e["msgid"] for e in items if not e.get("msgstr")] == []
    assert [e["msgid"] for e in items if "fuzzy" in e.get("flags", "")] == []
