"""The checklists and legal provisions a new installation starts with, from the rules in
docs DOMAIN.md (rental fire safety, 九小场所, gas) and the provisions they rest on. Installed by
migration 0002; `install` is idempotent (existing codes are left as the admin edited them)."""

from typing import Any

# (code, text, severity, photo_required, legal_basis, category_code)
RENTAL_ITEMS = [
    (
        "smoke_alarm",
        "每个房间安装独立式感烟火灾探测报警器",
        "major",
        True,
        "出租房消防安全管理规定",
        "rental_fire_hazard",
    ),
    (
        "extinguisher",
        "每个房间配备2公斤ABC干粉灭火器",
        "general",
        True,
        "出租房消防安全管理规定",
        "rental_fire_hazard",
    ),
    (
        "ebike_indoor",
        "电动自行车不在室内、楼道停放或充电",
        "serious",
        True,
        "高层民用建筑消防安全管理规定 第三十七条",
        "ebike_charging",
    ),
    (
        "wiring_conduit",
        "电气线路穿管保护，无私拉乱接",
        "major",
        True,
        "出租房消防安全管理规定",
        "rental_fire_hazard",
    ),
    (
        "gas_kitchen_only",
        "瓶装燃气只在厨房使用",
        "major",
        True,
        "浙江省燃气管理条例",
        "gas_cylinder_hazard",
    ),
    (
        "window_bars",
        "防盗窗可从内部开启",
        "major",
        False,
        "出租房消防安全管理规定",
        "rental_fire_hazard",
    ),
    (
        "occupancy",
        "人均居住面积不少于5平方米，每间不超过2人",
        "general",
        False,
        "出租房消防安全管理规定",
        "rental_fire_hazard",
    ),
    (
        "no_sandwich_panel",
        "非彩钢夹芯板建筑",
        "serious",
        True,
        "出租房消防安全管理规定",
        "rental_fire_hazard",
    ),
    (
        "fire_lane",
        "消防通道、安全出口畅通",
        "serious",
        True,
        "中华人民共和国消防法 第二十八条",
        "fire_lane_blocked",
    ),
]
NINE_SMALL_ITEMS = [
    (
        "patrol_records",
        "有防火巡查、检查记录",
        "general",
        False,
        "机关、团体、企业、事业单位消防安全管理规定",
        "safety_hazard",
    ),
    (
        "staff_training",
        "从业人员经过“一懂三会”消防培训",
        "general",
        False,
        "中华人民共和国消防法 第十六条",
        "safety_hazard",
    ),
    (
        "no_sleeping",
        "经营场所内无人员住宿",
        "serious",
        True,
        "中华人民共和国消防法 第十九条",
        "safety_hazard",
    ),
    (
        "extinguisher",
        "按要求配置灭火器且在有效期内",
        "general",
        True,
        "中华人民共和国消防法 第十六条",
        "safety_hazard",
    ),
    (
        "emergency_lights",
        "应急照明、疏散指示标志完好",
        "major",
        True,
        "中华人民共和国消防法 第十六条",
        "safety_hazard",
    ),
    (
        "fire_lane",
        "疏散通道、安全出口畅通",
        "serious",
        True,
        "中华人民共和国消防法 第二十八条",
        "fire_lane_blocked",
    ),
]
GAS_ITEMS = [
    (
        "cylinder_handling",
        "无加热、摔砸、倒卧、暴晒钢瓶",
        "major",
        True,
        "浙江省燃气管理条例",
        "gas_cylinder_hazard",
    ),
    (
        "gas_alarm_powered",
        "燃气报警器通电正常",
        "major",
        True,
        "浙江省燃气管理条例",
        "gas_cylinder_hazard",
    ),
    (
        "hose_valve",
        "连接软管、减压阀完好，无老化",
        "general",
        True,
        "浙江省燃气管理条例",
        "gas_cylinder_hazard",
    ),
]

TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "rental_fire",
        "name": "出租房消防安全检查",
        "kind": "rental_house",
        "items": RENTAL_ITEMS,
    },
    {
        "code": "nine_small_fire",
        "name": "九小场所消防安全检查",
        "kind": "nine_small",
        "items": NINE_SMALL_ITEMS,
    },
    {"code": "shop_fire", "name": "商铺消防安全检查", "kind": "shop", "items": NINE_SMALL_ITEMS},
    {
        "code": "enterprise_fire",
        "name": "企业消防安全检查",
        "kind": "enterprise",
        "items": NINE_SMALL_ITEMS,
    },
    {
        "code": "market_fire",
        "name": "市场消防安全检查",
        "kind": "market",
        "items": NINE_SMALL_ITEMS,
    },
    {"code": "gas_user", "name": "燃气用户安全检查", "kind": "", "items": GAS_ITEMS},
]

# (code, law, article, summary, party, fine_min, fine_max)
PROVISIONS = [
    (
        "ZJ-GAS-HOUSEHOLD",
        "浙江省燃气管理条例",
        "居民用户违规用气",
        "居民用户加热、摔砸、倒卧、暴晒燃气钢瓶等违规用气的，处五十元以上五百元以下罚款",
        "household",
        "50",
        "500",
    ),
    (
        "ZJ-GAS-BUSINESS",
        "浙江省燃气管理条例",
        "非居民用户违规用气",
        "非居民用户违规用气的，处五百元以上五千元以下罚款",
        "business",
        "500",
        "5000",
    ),
    (
        "FIRE-LAW-16",
        "中华人民共和国消防法",
        "第十六条",
        "单位应当落实消防安全责任制，配置消防设施、器材，组织防火检查和消防安全培训",
        "business",
        None,
        None,
    ),
    (
        "FIRE-LAW-28",
        "中华人民共和国消防法",
        "第二十八条",
        "任何单位、个人不得占用、堵塞、封闭疏散通道、安全出口、消防车通道",
        "any",
        None,
        None,
    ),
    (
        "FIRE-LAW-60-UNIT",
        "中华人民共和国消防法",
        "第六十条第一款",
        "单位占用、堵塞、封闭疏散通道、安全出口等的，责令改正，处五千元以上五万元以下罚款",
        "business",
        "5000",
        "50000",
    ),
    (
        "FIRE-LAW-60-PERSON",
        "中华人民共和国消防法",
        "第六十条第二款",
        "个人有前款所列行为之一的，处警告或者五百元以下罚款",
        "household",
        "0",
        "500",
    ),
    (
        "FIRE-LAW-61",
        "中华人民共和国消防法",
        "第六十一条",
        "住宿与生产、储存、经营场所设置在同一建筑物内不符合消防技术标准的，责令停产停业，"
        "并处五千元以上五万元以下罚款",
        "business",
        "5000",
        "50000",
    ),
    (
        "FIRE-LAW-64",
        "中华人民共和国消防法",
        "第六十四条",
        "过失引起火灾等情形的，处十日以上十五日以下拘留",
        "any",
        None,
        None,
    ),
]


def install(apps: Any, schema_editor: Any = None) -> None:
    template_model = apps.get_model("inspections", "ChecklistTemplate")
    item_model = apps.get_model("inspections", "ChecklistItem")
    provision_model = apps.get_model("inspections", "Provision")
    for spec in TEMPLATES:
        if template_model.objects.filter(code=spec["code"]).exists():
            continue
        template = template_model.objects.create(
            code=spec["code"], name=spec["name"], premises_kind=spec["kind"], version=1
        )
        item_model.objects.bulk_create(
            item_model(
                template=template,
                code=code,
                text=text,
                severity=severity,
                photo_required=photo,
                legal_basis=basis,
                category_code=category,
                order=order,
            )
            for order, (code, text, severity, photo, basis, category) in enumerate(
                spec["items"], start=1
            )
        )
    for code, law, article, summary, party, low, high in PROVISIONS:
        provision_model.objects.get_or_create(
            code=code,
            defaults={
                "law": law,
                "article": article,
                "summary": summary,
                "party": party,
                "fine_min": low,
                "fine_max": high,
            },
        )


def installed() -> None:
    """For tests after a flush (a transactional test empties the seeded rows)."""
    from django.apps import apps

    install(apps)
