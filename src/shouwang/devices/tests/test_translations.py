"""The devices and places apps speak English completely: every Chinese source string of their
catalogues has an English translation, and none is left fuzzy."""

from pathlib import Path

import pytest

import shouwang
from shouwang.core.tests.test_translations import entries

ROOT = Path(shouwang.__file__).parent


@pytest.mark.parametrize("app", ["devices", "places"])
def test_every_source_string_has_an_english_translation(app: str) -> None:
    catalogue = ROOT / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
    items = [e for e in entries(catalogue.read_text(encoding="utf-8")) if e.get("msgid")]
    assert items
    assert [e["msgid"] for e in items if not e.get("msgstr")] == []
    assert [e["msgid"] for e in items if "fuzzy" in e.get("flags", "")] == []
