"""The demo's service levels and routing rules, as a Yiwu command centre would set them."""

from dataclasses import asdict, dataclass

from django.db import transaction

from shouwang.cases.models import Category, RoutingRule, SlaPolicy
from shouwang.core.models import JurisdictionNode, NodeKind, NodeLevel, Unit, UnitKind


@dataclass(frozen=True)
class Policy:
    name: str
    category: str = ""
    priority: int | None = None
    town_kind: str = ""
    accept_within_s: int = 180
    arrive_within_min: int | None = 8
    feedback_within_min: int | None = 30
    resolve_within_h: int | None = 24
    resolve_working_days: int | None = None


def _work_order(code: str, days: int) -> Policy:
    """12345 work orders: handled by a department in working days; no one rushes there."""
    return Policy(
        name=f"{code}：{days}个工作日办结",
        category=code,
        arrive_within_min=None,
        feedback_within_min=24 * 60,
        resolve_within_h=None,
        resolve_working_days=days,
    )


POLICIES = [
    # 110 practice in local rules: 5 minutes in town streets, 10 in the suburbs and towns.
    Policy("110 城区街道 5 分钟到场", town_kind=NodeKind.STREET, arrive_within_min=5),
    Policy("110 镇 10 分钟到场", town_kind=NodeKind.TOWN, arrive_within_min=10),
    Policy("紧急警情 1 分钟接单", priority=1, accept_within_s=60),
    Policy(
        "消防救援 5 分钟到场",
        category="fire_rescue",
        accept_within_s=30,
        arrive_within_min=5,
        feedback_within_min=15,
        resolve_within_h=12,
    ),
    _work_order("city_management", 5),
    _work_order("disputes", 10),
    _work_order("safety_hazard", 3),
    _work_order("public_facilities", 5),
    _work_order("consultation", 3),
    _work_order("devices", 2),
]
# category → city department (codes of the demo city's units), for the whole city
CITY_RULES = [
    ("street_vending", "DEPT-CG"),
    ("illegal_construction", "DEPT-CG"),
    ("garbage", "DEPT-CG"),
    ("consumer_dispute", "DEPT-SCJG"),
    ("facility_damage", "DEPT-ZJ"),
    ("consultation", "DEPT-12345"),
]
# category → the town's own unit of this kind
TOWN_RULES = [
    ("fire_rescue", UnitKind.FIRE_COMMAND),
    ("rental_fire_hazard", UnitKind.FIRE_COMMAND),
]


@transaction.atomic
def demo_rules_install() -> tuple[int, int]:
    """Adds the demo's service levels and routing rules that are missing (keyed by policy name
    and by category × node), so it is safe to run again. Returns (policies, rules) added."""
    categories = {c.code: c for c in Category.objects.all()}
    policies = sum(_policy(spec, categories) for spec in POLICIES)
    city = JurisdictionNode.objects.filter(level=NodeLevel.CITY).order_by("code").first()
    if city is None:
        return policies, 0
    rules = 0
    for code, unit_code in CITY_RULES:
        unit = Unit.objects.filter(code=unit_code, is_active=True).first()
        if unit is not None and code in categories:
            rules += _rule(categories[code], city, unit)
    for town in JurisdictionNode.objects.filter(level=NodeLevel.TOWN).order_by("code"):
        for code, kind in TOWN_RULES:
            unit = Unit.objects.filter(node=town, kind=kind, is_active=True).first()
            if unit is not None and code in categories:
                rules += _rule(categories[code], town, unit)
    return policies, rules


def _policy(spec: Policy, categories: dict[str, Category]) -> int:
    values = asdict(spec)
    name, code = values.pop("name"), values.pop("category")
    if code and code not in categories:
        return 0
    values["category"] = categories[code] if code else None
    _, created = SlaPolicy.objects.get_or_create(name=name, defaults=values)
    return int(created)


def _rule(category: Category, node: JurisdictionNode, unit: Unit) -> int:
    _, created = RoutingRule.objects.get_or_create(
        category=category, node=node, defaults={"unit": unit, "note": "演示规则"}
    )
    return int(created)
