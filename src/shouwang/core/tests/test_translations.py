"""The English interface is complete: every Chinese source string has an English translation."""

from pathlib import Path

import shouwang

# The project catalogue and each app's own (makemessages puts an app's strings in its locale/).
CATALOGUES = sorted(Path(shouwang.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"))


def entries(text: str) -> list[dict[str, str]]:
    found, current, field = [], {}, ""
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current:
                found.append(current)
            current, field = {}, ""
        elif line.startswith("#,"):
            current["flags"] = line
        elif line.startswith(("msgid", "msgstr", "msgid_plural")):
            field, _, value = line.partition(" ")
            current[field] = value.strip()[1:-1]
        elif line.startswith('"') and field:
            current[field] += line.strip()[1:-1]
    return found


def all_entries() -> list[dict[str, str]]:
    assert CATALOGUES, "no English catalogue found"
    found: list[dict[str, str]] = []
    for path in CATALOGUES:
        found += [e for e in entries(path.read_text(encoding="utf-8")) if e.get("msgid")]
    return found


def test_every_source_string_has_an_english_translation() -> None:
    missing = [e["msgid"] for e in all_entries() if not (e.get("msgstr") or e.get("msgstr[0]"))]
    assert missing == []


def test_no_translation_is_left_fuzzy() -> None:
    assert [e["msgid"] for e in all_entries() if "fuzzy" in e.get("flags", "")] == []
