"""The default category taxonomy: police and non-police matters as a Yiwu command centre sees
them (DOMAIN.md; seed 003 on non-police diversion). Codes are stable ASCII slugs: they are the
API's `category` values and the Open311 service codes. Re-running changes nothing that an admin
has edited: existing codes are left alone."""

from django.db import migrations
from pypinyin import Style, lazy_pinyin

# code, name, English name, parent code, is police, is public, default priority, keywords
CATEGORIES = [
    ("public_order", "治安类", "Public order", "", True, True, 2, "治安 报警"),
    ("fight", "打架斗殴", "Fight or brawl", "public_order", True, True, 1, "打架 斗殴 打人 持刀"),
    ("theft", "盗窃", "Theft", "public_order", True, True, 2, "偷 被盗 小偷 扒窃 电动车被偷"),
    ("robbery", "抢劫抢夺", "Robbery", "public_order", True, True, 1, "抢劫 抢夺 抢包"),
    ("fraud", "诈骗", "Fraud", "public_order", True, True, 2, "诈骗 电信诈骗 被骗 刷单 转账"),
    ("domestic_violence", "家庭暴力", "Domestic violence", "public_order", True, True, 1, "家暴"),
    ("disturbance", "寻衅滋事", "Provocation and disturbance", "public_order", True, True, 2,
     "闹事 醉酒 滋事"),
    ("gambling", "赌博", "Gambling", "public_order", True, True, 3, "赌博 聚赌 麻将"),
    ("missing_person", "人员走失", "Missing person", "public_order", True, True, 2,
     "走失 找人 老人 小孩 失联"),
    ("suspicious", "可疑情况", "Suspicious activity", "public_order", True, True, 3, "可疑 陌生人"),
    ("traffic", "交通类", "Traffic", "", True, True, 2, "交通"),
    ("traffic_accident", "交通事故", "Traffic accident", "traffic", True, True, 2,
     "车祸 撞车 追尾 刮擦 交通事故"),
    ("drunk_driving", "酒后驾驶", "Drunk driving", "traffic", True, True, 2, "酒驾 醉驾"),
    ("traffic_jam", "交通拥堵", "Traffic jam", "traffic", True, True, 3, "堵车 拥堵"),
    ("fire_rescue", "消防救援类", "Fire and rescue", "", True, True, 1, "消防 救援"),
    ("fire", "火灾", "Fire", "fire_rescue", True, True, 1, "着火 火灾 冒烟 起火"),
    ("gas_leak", "燃气泄漏", "Gas leak", "fire_rescue", True, True, 1, "燃气 煤气 液化气 泄漏 气味"),
    ("smoke_alarm", "烟感报警", "Smoke detector alarm", "fire_rescue", True, False, 1,
     "烟感 烟雾报警 报警器"),
    ("rescue", "求助救援", "Rescue request", "fire_rescue", True, True, 2,
     "求助 被困 电梯困人 溺水 救援"),
    ("city_management", "城市管理类", "City management", "", False, True, 4, "城管 市容"),
    ("noise", "噪音扰民", "Noise nuisance", "city_management", False, True, 3,
     "噪音 扰民 施工噪音 广场舞 吵"),
    ("street_vending", "占道经营", "Street vending", "city_management", False, True, 4,
     "占道 摆摊 流动摊贩 出店经营"),
    ("illegal_construction", "违章搭建", "Illegal construction", "city_management", False, True, 4,
     "违建 搭建"),
    ("garbage", "垃圾乱堆", "Garbage dumping", "city_management", False, True, 4,
     "垃圾 堆放 乱扔"),
    ("safety_hazard", "安全隐患类", "Safety hazards", "", False, True, 3, "隐患"),
    ("fire_lane_blocked", "消防通道堵塞", "Blocked fire lane", "safety_hazard", False, True, 3,
     "消防通道 堵塞 占用 车辆堵塞"),
    ("ebike_charging", "电动车违规充电", "Illegal e-bike charging", "safety_hazard", False, True,
     3, "电动车 充电 飞线 楼道 室内充电"),
    ("rental_fire_hazard", "出租房消防隐患", "Rental housing fire hazard", "safety_hazard", False,
     True, 3, "出租房 群租 消防 灭火器 烟感"),
    ("gas_cylinder_hazard", "瓶装燃气隐患", "Gas cylinder hazard", "safety_hazard", False, True, 3,
     "液化气瓶 钢瓶 燃气 隐患"),
    ("disputes", "矛盾纠纷类", "Disputes", "", False, True, 3, "纠纷 调解"),
    ("neighbour_dispute", "邻里纠纷", "Neighbour dispute", "disputes", False, True, 3,
     "邻里 邻居 漏水 噪音 纠纷"),
    ("labour_dispute", "劳资纠纷", "Labour dispute", "disputes", False, True, 3,
     "欠薪 工资 讨薪 劳资"),
    ("rental_dispute", "租赁纠纷", "Tenancy dispute", "disputes", False, True, 3,
     "房租 押金 房东 租客"),
    ("consumer_dispute", "消费纠纷", "Consumer dispute", "disputes", False, True, 4,
     "消费 退款 商家 质量"),
    ("public_facilities", "公共设施类", "Public facilities", "", False, True, 4, "设施"),
    ("facility_damage", "公共设施损坏", "Damaged public facility", "public_facilities", False,
     True, 4, "损坏 路灯 井盖 监控 摄像头"),
    ("utility_outage", "停水停电", "Water or power outage", "public_facilities", False, True, 3,
     "停水 停电 断电"),
    ("devices", "设备类", "Devices", "", False, False, 4, "设备"),
    ("device_maintenance", "设备离线维护", "Device offline / maintenance", "devices", False, False,
     4, "离线 掉线 故障 低电量 维护"),
    ("consultation", "咨询求助", "Enquiry", "", False, True, 4, "咨询 求助 投诉 建议"),
]


def initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def install(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    by_code = {}
    for sort, row in enumerate(CATEGORIES, start=1):
        code, name, name_en, parent, police, public, priority, keywords = row
        category, _ = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "parent": by_code.get(parent),
                "is_police": police,
                "is_public": public,
                "default_priority": priority,
                "keywords": keywords,
                "pinyin_initials": initials(name),
                "sort": sort * 10,
            },
        )
        by_code[code] = category


def remove(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    codes = [row[0] for row in CATEGORIES]
    Category.objects.filter(code__in=codes, cases__isnull=True, parent__isnull=False).delete()
    Category.objects.filter(code__in=codes, cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
