"""Text normalisation without a gazetteer: full-width to half-width, Chinese numerals to
digits, an address reduced to the parts that identify a place (road and number, landmark or
community, building, flat), and the cue words the models read."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")
# Prefixes that say where in the country, not where in the city.
REGION = re.compile(r"^(浙江省)?(金华市)?(义乌市|义乌)?([\u4e00-\u9fa5]{2,4}(街道|镇))?")
# Words around a place that do not change which place it is.
FILLER = re.compile(
    r"(附近|门口|旁边|对面|边上|里面|这边|那边|东门|西门|南门|北门|正门|后门|一带|路口)"
)
ROAD_NUMBER = re.compile(r"([\u4e00-\u9fa5]{2,6}(?:路|街|大道|巷))(\d+)号")
BUILDING = re.compile(r"(\d+)(?:幢|栋|号楼|座)")
FLAT = re.compile(r"(?:幢|栋|号楼|座|单元)-?(\d{3,4})(?:室|号)?|(\d{3,4})室")
PLACE_NAME = re.compile(
    r"([\u4e00-\u9fa5]{2,8}?(?:市场|小区|社区|公园|广场|新村|花园|苑|商城|"
    r"超市|医院|学校|小学|中学|车站|工业区|村))"
)


def cn_to_int(text: str) -> int:
    """一百零二 → 102, 三十五 → 35, 五零二 → 502 (digit by digit when there is no 十/百)."""
    if "十" not in text and "百" not in text:
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGITS[ch]
    return total + current


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), lower case, no spaces or punctuation,
    Chinese numerals before a unit as digits."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"[\s,，。.;；:：!！?？、'\"“”‘’()（）\[\]【】-]+", "", text)

    def number(match: re.Match[str]) -> str:
        return str(cn_to_int(match.group(0)))

    return re.sub(r"[零〇一二两三四五六七八九十百]+(?=[号幢栋楼座室单元层])", number, text)


@dataclass(frozen=True)
class Address:
    """The identifying parts of an address, each "" when absent."""

    text: str  # normalised, region prefix and filler words removed
    road_number: str  # 稠州北路88
    place: str  # 宾王市场, 福田社区
    building: str
    flat: str

    def key(self) -> str:
        """A coarse key: the road and number, or the named place."""
        return self.road_number or self.place


@lru_cache(maxsize=65536)
def parse_address(raw: str) -> Address:
    text = FILLER.sub("", REGION.sub("", normalise(raw)))
    road = ROAD_NUMBER.search(text)
    place = PLACE_NAME.search(text)
    building = BUILDING.search(text)
    flat = FLAT.search(text)
    place_name = place.group(1) if place else ""
    for suffix in ("小区", "社区", "新村"):
        # 福田社区 and 福田小区 are one community.
        if place_name.endswith(suffix) and len(place_name) > len(suffix) + 1:
            place_name = place_name[: -len(suffix)]
    return Address(
        text=text,
        road_number=f"{road.group(1)}{road.group(2)}" if road else "",
        place=place_name,
        building=building.group(1) if building else "",
        flat=next((g for g in flat.groups() if g), "") if flat else "",
    )


@lru_cache(maxsize=65536)
def text_flats(text: str) -> frozenset[str]:
    """Flat numbers a call's text names (502, 3幢402)."""
    clean = normalise(text)
    found = {m.group(1) or m.group(2) for m in FLAT.finditer(clean)}
    found |= set(re.findall(r"(?<!\d)(\d{3,4})(?:的|家|户|住户)", clean))
    return frozenset(f for f in found if f)


FOLLOW_UP = (
    "上次",
    "之前报",
    "前几天",
    "昨天报",
    "又来了",
    "还没人管",
    "还是没",
    "再次反映",
    "又开始",
    "第二次",
    "第三次",
    "一直没",
    "还没解决",
    "刚才报过",
    "怎么还没",
    "还在",
)


def is_follow_up(text: str) -> bool:
    return any(word in text for word in FOLLOW_UP)


@lru_cache(maxsize=65536)
def bigrams(text: str) -> frozenset[str]:
    chars = normalise(text)
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
