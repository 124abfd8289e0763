"""The category codes the models know (the leaves of the default taxonomy, cases migration
0002), their Chinese names and families, and how free-text categories of a batch input
(`theft`, `盗窃`, `纠纷-邻里`, `治安类-盗窃`) are resolved to them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Leaf:
    code: str
    name: str
    family: str


FAMILY_NAMES = {
    "public_order": "治安类",
    "traffic": "交通类",
    "fire_rescue": "消防救援类",
    "city_management": "城市管理类",
    "safety_hazard": "安全隐患类",
    "disputes": "矛盾纠纷类",
    "public_facilities": "公共设施类",
    "consultation": "咨询求助",
}

LEAVES = tuple(
    Leaf(code, name, family)
    for code, name, family in (
        ("fight", "打架斗殴", "public_order"),
        ("theft", "盗窃", "public_order"),
        ("robbery", "抢劫抢夺", "public_order"),
        ("fraud", "诈骗", "public_order"),
        ("domestic_violence", "家庭暴力", "public_order"),
        ("disturbance", "寻衅滋事", "public_order"),
        ("gambling", "赌博", "public_order"),
        ("missing_person", "人员走失", "public_order"),
        ("suspicious", "可疑情况", "public_order"),
        ("traffic_accident", "交通事故", "traffic"),
        ("drunk_driving", "酒后驾驶", "traffic"),
        ("traffic_jam", "交通拥堵", "traffic"),
        ("fire", "火灾", "fire_rescue"),
        ("gas_leak", "燃气泄漏", "fire_rescue"),
        ("rescue", "求助救援", "fire_rescue"),
        ("noise", "噪音扰民", "city_management"),
        ("street_vending", "占道经营", "city_management"),
        ("illegal_construction", "违章搭建", "city_management"),
        ("garbage", "垃圾乱堆", "city_management"),
        ("fire_lane_blocked", "消防通道堵塞", "safety_hazard"),
        ("ebike_charging", "电动车违规充电", "safety_hazard"),
        ("rental_fire_hazard", "出租房消防隐患", "safety_hazard"),
        ("gas_cylinder_hazard", "瓶装燃气隐患", "safety_hazard"),
        ("neighbour_dispute", "邻里纠纷", "disputes"),
        ("labour_dispute", "劳资纠纷", "disputes"),
        ("rental_dispute", "租赁纠纷", "disputes"),
        ("consumer_dispute", "消费纠纷", "disputes"),
        ("facility_damage", "公共设施损坏", "public_facilities"),
        ("utility_outage", "停水停电", "public_facilities"),
        ("consultation", "咨询求助", "consultation"),
    )
)
BY_CODE = {leaf.code: leaf for leaf in LEAVES}
BY_NAME = {leaf.name: leaf for leaf in LEAVES}
# Categories whose calls the risk model scores: the disputes family and the nuisances that
# start most disputes (the same set as mediation.risk.is_watched).
WATCHED = frozenset({"noise", "disturbance"} | {c.code for c in LEAVES if c.family == "disputes"})
# Matters that several passers-by report at once (one fire, many callers) — as opposed to
# matters of one victim (two thefts at one market are two matters).
PUBLIC_EVENTS = frozenset(
    {
        "fight",
        "disturbance",
        "traffic_accident",
        "traffic_jam",
        "fire",
        "gas_leak",
        "rescue",
        "noise",
        "street_vending",
        "garbage",
        "fire_lane_blocked",
        "facility_damage",
        "utility_outage",
        "illegal_construction",
    }
)


def family_of(code: str) -> str:
    if code in FAMILY_NAMES:
        return code
    leaf = BY_CODE.get(code)
    return leaf.family if leaf else ""


def resolve_category(value: str) -> str:
    """Our code for a free-text category: a code, a Chinese name, a family name, or a
    `family-leaf` label such as `纠纷-邻里`; "" when nothing matches."""
    text = (value or "").strip()
    if not text:
        return ""
    if text in BY_CODE or text in FAMILY_NAMES:
        return text
    if text in BY_NAME:
        return BY_NAME[text].code
    parts = [p for p in text.replace("－", "-").replace("/", "-").split("-") if p]
    for part in reversed(parts):
        part = part.removesuffix("类")
        for leaf in LEAVES:
            if part and (part in leaf.name or leaf.name in part):
                head = parts[0].removesuffix("类")
                if (
                    len(parts) == 1
                    or head in FAMILY_NAMES.get(leaf.family, "")
                    or head in leaf.name
                ):
                    return leaf.code
        for code, name in FAMILY_NAMES.items():
            if part and part in name:
                return code
    return ""
