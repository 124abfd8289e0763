"""How an address is reduced to the key it is matched on, the same way for the gazetteer's
entries and for what a caller says: no spaces or punctuation, no province, city or town prefix,
no trailing qualifier (东门外, 对面, 附近 — the geocoder answers the base place, without an
offset), and house numbers without 号."""

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

PREFIXES = ("浙江省", "浙江", "金华市", "金华", "义乌市", "义乌")
# Longest first, stripped repeatedly from the end: "东门外对面" loses both.
QUALIFIERS = sorted(
    {
        *(f"{d}{s}" for d in "东南西北" for s in ("门外", "门口", "门", "侧", "边", "面", "头")),
        "对面",
        "附近",
        "旁边",
        "边上",
        "门口",
        "门外",
        "里面",
        "楼下",
        "后面",
        "前面",
        "路口",
        "一带",
        "这里",
        "这边",
        "那边",
        "旁",
    },
    key=len,
    reverse=True,
)
_NOISE = re.compile(r"[\s,，。.、;；:：()（）\[\]【】\"'“”‘’\-—_/#]+")
_NUMBER_SUFFIX = re.compile(r"(\d+)\s*号")
# Inside a house: "5号3幢2单元301室" is the house 5号 to the gazetteer.
_INSIDE = re.compile(r"(\d+号)\d+(幢|栋|座|单元|室|楼|层).*$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def address_key(text: str, *, towns: tuple[str, ...] = ()) -> str:
    key = _NOISE.sub("", text.translate(_FULLWIDTH)).lower()
    key = _INSIDE.sub(r"\1", key)
    key = _NUMBER_SUFFIX.sub(r"\1", key)
    changed = True
    while changed:
        changed = False
        for prefix in (*PREFIXES, *towns):
            if prefix and key.startswith(prefix) and len(key) > len(prefix):
                key, changed = key[len(prefix) :], True
    changed = True
    while changed:
        changed = False
        for qualifier in QUALIFIERS:
            if key.endswith(qualifier) and len(key) > len(qualifier) + 1:
                key, changed = key[: -len(qualifier)], True
                break
    return key


@lru_cache(maxsize=4096)
def pinyin_initials(text: str) -> str:
    """国际商贸城 -> gjsmc; digits and letters kept as they are."""
    return "".join(
        part[0] for part in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default") if part
    ).lower()


def bigrams(key: str) -> set[str]:
    if len(key) < 2:
        return {key} if key else set()
    return {key[i : i + 2] for i in range(len(key) - 1)}
