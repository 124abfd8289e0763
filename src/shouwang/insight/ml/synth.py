"""Labelled calls for training and evaluation, from a seeded generator (docs/insight.md says
how they are made). A small city of markets, residential compounds and shops; people with one
or two phones; matters of every category reported by one or several calls, with varied wording.

Built to be hard where the real world is hard:
- hard negatives: separate incidents at one busy market within the hour, one caller reporting
  two unrelated matters, neighbours in one building calling about different flats;
- harder positives: a second phone, a different phrasing of the address, a 30-300 m position
  error, a follow-up days later ("上次报的那个事还没人管"), witnesses of one event.
Disputes carry a hidden hostility that drives repeat calls, cue words and night calls; some of
them end in violence (a fight or domestic violence call): that is the risk label.

Seeds: training 17, tuning 1017, test 2017 (`SEEDS`). Same seed, same calls."""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.timezone import get_default_timezone

from shouwang.insight.ml.calls import Call
from shouwang.insight.ml.taxonomy import BY_CODE, LEAVES, PUBLIC_EVENTS, WATCHED

SEEDS = {"train": 17, "tune": 1017, "test": 2017}
SHANGHAI = get_default_timezone()  # settings.TIME_ZONE
START = datetime(2026, 11, 1, tzinfo=SHANGHAI)
CENTRE = (29.3069, 120.0751)
METRES_PER_DEGREE = 111_320.0


def _words(text: str) -> list[str]:
    return text.split()


NAMES = _words(
    "宾王 篁园 福田 稠州 江东 北苑 后宅 廿三里 佛堂 苏溪 上溪 义亭 大陈 "
    "赤岸 城西 稠城 丹溪 胜利 宗泽 春晗 香溪 贝村 青口 杨村 何里 下朱 "
    "塘李 殿口 畈田 新科 鸡鸣山 望道 通惠 工人 商博 银海 诚信 荷叶塘 端头 "
    "楼西塘 金村 五爱 下王 夏演 前成 洪华 四季 东河 凌云 秀禾 丹桂 雪峰 "
    "绣湖 孝子祠 城北 城南 畈西 双林"
)
ROADS = _words(
    "稠州北路 工人北路 宾王路 丹溪北路 城中中路 江东中路 春晗路 雪峰西路 "
    "商城大道 宗泽路 香山路 西城路 胜利街 新马路 篁园路 望道路 福田路 银海路 "
    "诚信大道 阳光大道 稠州中路 工人西路 环城南路 义乌街 北门街 县前街"
)
TOWNS = _words(
    "稠城街道 北苑街道 稠江街道 江东街道 后宅街道 城西街道 廿三里街道 福田街道 "
    "佛堂镇 苏溪镇 上溪镇 义亭镇 大陈镇 赤岸镇"
)
CN = "零一二三四五六七八九"

PREFIXES = (
    "来电称",
    "报警人称",
    "市民反映",
    "来电人反映",
    "群众报称",
    "",
    "",
    "来电人称：",
    "报警称",
    "求助人称",
)
SUFFIXES = (
    "，请求处理",
    "，请派人来看看",
    "，要求到场处理",
    "",
    "",
    "，希望尽快处理",
    "，情况比较急",
    "。",
    "，请相关部门处理",
)


@dataclass(frozen=True)
class Spec:
    subject: str  # what a follow-up calls it: 上次报的{subject}
    templates: tuple[str, ...]
    slots: dict[str, tuple[str, ...]] = field(default_factory=dict)


OBJECTS = ("电动车", "手机", "钱包", "三轮车", "自行车", "一箱货", "背包", "金项链", "笔记本电脑")
COLOURS = ("红色", "黑色", "白色", "蓝色", "银色", "灰色")
PEOPLE_N = ("两", "三", "四", "五", "七八")
SPECS: dict[str, Spec] = {
    "fight": Spec(
        "打架",
        (
            "{at}有{n}个人在打架",
            "{at}{n}人发生斗殴，有人流血",
            "{at}一群人打起来了，{n}个人动手",
            "{at}有人打架，场面混乱",
            "{at}有人被打了，对方{n}个人",
        ),
        {"n": PEOPLE_N},
    ),
    "theft": Spec(
        "被盗",
        (
            "{at}{c}{obj}被偷了",
            "停在{at}的{c}{obj}被盗",
            "{obj}在{at}被人偷走，{c}的",
            "{at}丢了一个{c}{obj}，怀疑被偷",
            "刚才在{at}被扒窃，{obj}没了",
        ),
        {"obj": OBJECTS, "c": COLOURS},
    ),
    "robbery": Spec(
        "被抢",
        ("{at}有人抢了{obj}往东跑了", "在{at}{obj}被抢", "{at}被人抢夺{obj}，对方骑{c}电动车"),
        {"obj": ("包", "手机", "金项链", "钱包"), "c": COLOURS},
    ),
    "fraud": Spec(
        "被骗",
        (
            "在网上刷单被骗{m}元",
            "接到冒充客服的电话，被骗{m}元",
            "被人以投资名义骗了{m}元",
            "冒充公检法让转账，已转{m}元",
            "网购退款被骗{m}元",
        ),
        {"m": ("三千", "五千", "一万二", "八百", "两万", "六万")},
    ),
    "domestic_violence": Spec(
        "家暴",
        (
            "{at}丈夫喝了酒打老婆",
            "{at}被家人殴打，要求出警",
            "{at}夫妻吵架动手了，女方受伤",
            "{at}儿子打父亲",
        ),
    ),
    "disturbance": Spec(
        "闹事",
        (
            "{at}有人醉酒闹事",
            "{at}有人在摔东西骂人",
            "{at}有醉汉滋事，骚扰路人",
            "{at}几个人喝多了在闹",
        ),
    ),
    "gambling": Spec(
        "赌博", ("{at}有人聚众赌博", "{at}有人打麻将赌钱，赌资很大", "{at}棋牌室里有人赌博")
    ),
    "missing_person": Spec(
        "走失",
        (
            "家里{who}在{at}走失了",
            "{who}走丢了，最后在{at}出现",
            "{who}出门后失联，在{at}附近不见的",
        ),
        {"who": ("老人", "小孩", "八十岁的奶奶", "六岁的儿子", "有老年痴呆的父亲")},
    ),
    "suspicious": Spec(
        "可疑人员", ("{at}有陌生人来回转悠", "{at}有可疑人员在撬锁", "{at}有人鬼鬼祟祟看车")
    ),
    "traffic_accident": Spec(
        "车祸",
        (
            "{at}两车相撞",
            "{at}发生交通事故，{c}轿车追尾",
            "{at}电动车和汽车刮擦，有人受伤",
            "{at}车祸，一辆{c}车撞到护栏",
            "{at}出车祸了",
        ),
        {"c": COLOURS},
    ),
    "drunk_driving": Spec(
        "酒驾",
        ("{at}有人喝了酒开车", "{at}一辆{c}轿车疑似酒驾", "{at}司机醉驾，车开得歪歪扭扭"),
        {"c": COLOURS},
    ),
    "traffic_jam": Spec(
        "堵车", ("{at}堵得很厉害", "{at}交通拥堵，车走不动", "{at}车辆乱停造成拥堵")
    ),
    "fire": Spec(
        "着火", ("{at}着火了", "{at}冒黑烟，好像起火了", "{at}有房子起火", "{at}火灾，火很大")
    ),
    "gas_leak": Spec(
        "煤气味", ("{at}有很重的煤气味", "{at}燃气泄漏", "{at}液化气漏气了，闻到气味")
    ),
    "rescue": Spec(
        "被困", ("{at}电梯困人", "{at}有人被困", "{at}有人掉进河里了", "{at}老人摔倒起不来")
    ),
    "noise": Spec(
        "噪音",
        (
            "{at}噪音很大扰民",
            "{at}晚上施工太吵",
            "{at}广场舞音响太吵",
            "{at}{flat}室天天很吵",
            "{at}KTV声音太大睡不着",
        ),
        {"flat": ("302", "501", "1203", "704", "1602")},
    ),
    "street_vending": Spec(
        "占道经营", ("{at}有流动摊贩占道", "{at}摆摊占道经营", "{at}店铺出店经营占人行道")
    ),
    "illegal_construction": Spec("违建", ("{at}有人违章搭建", "{at}楼顶在搭违建", "{at}私自加盖")),
    "garbage": Spec(
        "垃圾", ("{at}垃圾堆了好几天没人清", "{at}有人乱倒建筑垃圾", "{at}垃圾乱扔很臭")
    ),
    "fire_lane_blocked": Spec(
        "消防通道", ("{at}消防通道被车堵了", "{at}消防通道堆满杂物", "{at}车辆占用消防通道")
    ),
    "ebike_charging": Spec(
        "电动车充电",
        ("{at}有人在楼道给电动车充电", "{at}电动车飞线充电", "{at}有人把电动车推进室内充电"),
    ),
    "rental_fire_hazard": Spec(
        "出租房隐患",
        ("{at}出租房群租，没有灭火器", "{at}出租房没有烟感", "{at}群租房住了很多人，消防隐患"),
    ),
    "gas_cylinder_hazard": Spec(
        "液化气瓶", ("{at}饭店液化气瓶放在门口", "{at}钢瓶很多堆在一起", "{at}瓶装燃气使用不规范")
    ),
    "neighbour_dispute": Spec(
        "邻里纠纷",
        (
            "{at}{flat}室和楼下{other}室因为漏水吵起来",
            "{at}{flat}和邻居因为噪音起纠纷",
            "{at}{flat}室邻居堆杂物占过道，双方争吵",
            "{at}{flat}家和{other}家邻里矛盾",
        ),
        {
            "flat": ("302", "501", "1203", "704", "1602", "402", "203", "901"),
            "other": ("202", "401", "1103", "604", "1502", "302", "103", "801"),
        },
    ),
    "labour_dispute": Spec(
        "欠薪",
        ("{at}工厂老板拖欠工资{m}元", "{at}讨薪，老板欠了{n}个工人工资", "{at}工地拖欠农民工工资"),
        {"m": ("八千", "两万", "五万"), "n": PEOPLE_N},
    ),
    "rental_dispute": Spec(
        "房租押金", ("{at}房东不退押金", "{at}租客欠房租不走", "{at}房东和租客因为押金吵架")
    ),
    "consumer_dispute": Spec(
        "消费纠纷",
        ("{at}买的{obj}质量有问题商家不退", "{at}商家不给退款", "{at}饭店结账价格有争议"),
        {"obj": ("衣服", "手机", "鞋子", "家电", "玩具")},
    ),
    "facility_damage": Spec(
        "设施损坏", ("{at}井盖坏了", "{at}路灯不亮", "{at}护栏被撞坏", "{at}监控摄像头坏了")
    ),
    "utility_outage": Spec("停水停电", ("{at}停电了", "{at}停水一天了", "{at}整栋楼没电")),
    "consultation": Spec(
        "咨询", ("咨询{at}办居住证的地方", "想问一下{at}怎么办理", "投诉{at}服务态度差")
    ),
}
# Words that tell a dispute's temper (the risk model must learn them from data).
CUES = {
    "drink": ("喝了酒", "醉醺醺的", "酒后"),
    "threat": ("扬言要报复", "威胁要弄死对方", "说要找人来"),
    "weapon": ("拿着菜刀", "拿了棍子", "手里有刀"),
    "hit": ("动手推搡", "打了对方", "扭打在一起"),
    "tone": ("情绪很激动", "越吵越凶", "骂得很难听"),
}
FOLLOW_UPS = (
    "上次报的{s}的事还没人管",
    "前几天反映的{s}问题还是没解决",
    "之前报过{s}，现在又来了",
    "{s}的事第二次反映了，一直没人处理",
    "还是{s}的问题，上次说会处理的",
)
REPEATS = ("刚才报过{s}，怎么还没人来", "{s}还在继续，请快点来人", "再次报警：{s}")
VIOLENT_TEXTS = (
    "{at}又打起来了，有人受伤流血",
    "{at}双方动刀了，有人受伤",
    "{at}打架，有人被打伤",
    "{at}男子持刀伤人",
)


@dataclass
class Place:
    kind: str  # market, home, shop
    lat: float
    lng: float
    name: str
    road: str
    number: int
    town: str
    buildings: int


@dataclass
class Person:
    phones: list[str]


@dataclass(frozen=True)
class Labelled:
    call: Call
    matter: str
    escalates: bool | None  # for watched calls: does the dispute end in violence?


def cn_digits(n: int) -> str:
    return "".join(CN[int(d)] for d in str(n))


class Generator:
    def __init__(self, seed: int, *, matters: int = 1200, days: int = 30) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
        self.seed = seed
        self.matters = matters
        self.days = days
        r = self.rng
        self.places: list[Place] = []
        used: set[str] = set()
        for kind, count in (("market", 25), ("home", 120), ("shop", 100)):
            for _ in range(count):
                while True:
                    base = r.choice(NAMES) + ("" if kind != "shop" else r.choice("东西南北新老"))
                    suffix = {
                        "market": r.choice(("市场", "商城", "广场", "公园")),
                        "home": r.choice(("小区", "新村", "花园", "苑")),
                        "shop": r.choice(("超市", "饭店", "五金店", "网吧", "工厂")),
                    }[kind]
                    if base + suffix not in used:
                        used.add(base + suffix)
                        break
                self.places.append(
                    Place(
                        kind,
                        CENTRE[0] + r.uniform(-0.07, 0.07),
                        CENTRE[1] + r.uniform(-0.08, 0.08),
                        base + suffix,
                        r.choice(ROADS),
                        r.randint(1, 999),
                        r.choice(TOWNS),
                        r.randint(3, 30),
                    )
                )
        self.people = [
            Person([self._phone()] + ([self._phone()] if r.random() < 0.2 else []))
            for _ in range(4000)
        ]
        self.serial = 0
        self.last_building = 1

    def _phone(self) -> str:
        return (
            "1" + self.rng.choice("3578") + "".join(self.rng.choice("0123456789") for _ in range(9))
        )

    def address(self, place: Place, building: int, flat: str) -> str:
        r = self.rng
        road = f"{place.road}{r.choice((str(place.number), cn_digits(place.number)))}号"
        if place.kind == "home":
            b = r.choice((str(building), cn_digits(building)))
            unit = r.choice(("幢", "栋", "号楼"))
            options = [
                f"{place.name}{b}{unit}{flat}室",
                f"{place.name.rstrip('小区')}社区{b}{unit}{flat}",
                f"{road}{place.name}{b}{unit}",
                f"{place.town}{place.name}{b}{unit}",
                f"{place.name}{b}{unit}",
            ]
        elif place.kind == "market":
            options = [
                place.name,
                f"{place.name}门口",
                f"{road}{place.name}",
                road,
                f"{place.town}{place.name}东门",
                f"{place.name}附近",
            ]
        else:
            options = [
                road,
                f"{road}{place.name}",
                f"{place.name}（{road}）",
                f"{road}{place.name}门口",
                f"义乌市{road}",
            ]
        return r.choice(options)

    def _call(
        self,
        *,
        at: datetime,
        person: Person | None,
        place: Place,
        category: str,
        text: str,
        building: int,
        flat: str,
        far: bool = False,
        phone: str | None = None,
    ) -> Call:
        r = self.rng
        self.serial += 1
        error = r.uniform(30, 300) if far else abs(r.gauss(0, 20))
        angle = r.uniform(0, 2 * math.pi)
        lat = place.lat + error * math.sin(angle) / METRES_PER_DEGREE
        lng = place.lng + error * math.cos(angle) / (
            METRES_PER_DEGREE * math.cos(math.radians(place.lat))
        )
        caller = phone if phone is not None else (r.choice(person.phones) if person else "")
        if r.random() < 0.04:
            caller = ""
        located = r.random() > 0.02
        return Call(
            id=f"c{self.seed}-{self.serial:05d}",
            received_at=at,
            caller=caller,
            lat=round(lat, 6) if located else None,
            lng=round(lng, 6) if located else None,
            address=self.address(place, building, flat),
            category=category,
            text=text,
        )

    def _text(self, category: str, detail: dict[str, str], at_text: str, cues: list[str]) -> str:
        r = self.rng
        spec = SPECS[category]
        body = r.choice(spec.templates).format(at=at_text, **detail)
        extra = "，" + "，".join(cues) if cues else ""
        return f"{r.choice(PREFIXES)}{body}{extra}{r.choice(SUFFIXES)}"

    def _at_text(self, place: Place, building: int) -> str:
        r = self.rng
        if r.random() < 0.4:
            return ""
        if place.kind == "home":
            return r.choice((f"{place.name}", f"{place.name}{building}幢", "我家楼上", "小区里"))
        return r.choice((f"{place.name}", f"{place.name}门口", f"{place.road}", "这里"))

    def generate(self) -> list[Labelled]:
        r = self.rng
        out: list[Labelled] = []
        recent: list[tuple[Person, Place, datetime]] = []
        weights = [8.0 if p.kind == "market" else 1.0 for p in self.places]
        leaves = [leaf.code for leaf in LEAVES]
        leaf_weights = [3.0 if c in WATCHED else 1.0 for c in leaves]
        for m in range(self.matters):
            category = r.choices(leaves, leaf_weights)[0]
            day = r.uniform(0, self.days)
            at = START + timedelta(days=day)
            if r.random() < 0.08 and recent:
                # One caller, two unrelated matters (the second near the first, days apart).
                person, near, then = r.choice(recent[-50:])
                place = r.choice([p for p in self.places if abs(p.lat - near.lat) < 0.01] or [near])
                at = then + timedelta(hours=r.uniform(0.5, 72))
            else:
                person = r.choice(self.people)
                place = r.choices(self.places, weights)[0]
            recent.append((person, place, at))
            out.extend(self._matter(f"m{self.seed}-{m:04d}", category, place, person, at))
            if place.kind == "market" and r.random() < 0.25:
                # Hard negative: another incident of the same kind at the same busy place
                # within the hour, another victim.
                when = at + timedelta(minutes=r.uniform(3, 60))
                out.extend(
                    self._matter(
                        f"m{self.seed}-{m:04d}b", category, place, r.choice(self.people), when
                    )
                )
            elif place.kind == "home" and r.random() < 0.2:
                # Hard negative: a neighbour in the same building, another flat, days later.
                when = at + timedelta(hours=r.uniform(1, 96))
                other = r.choice(("neighbour_dispute", "noise", category))
                out.extend(
                    self._matter(
                        f"m{self.seed}-{m:04d}n",
                        other,
                        place,
                        r.choice(self.people),
                        when,
                        building=self.last_building,
                    )
                )
        out.sort(key=lambda x: (x.call.received_at, x.call.id))
        return out

    def _matter(
        self,
        matter: str,
        category: str,
        place: Place,
        person: Person,
        at: datetime,
        building: int | None = None,
    ) -> list[Labelled]:
        r = self.rng
        spec = SPECS[category]
        detail = {k: r.choice(v) for k, v in spec.slots.items()}
        building = building or r.randint(1, place.buildings)
        self.last_building = building
        flat = f"{r.randint(1, 18)}0{r.randint(1, 4)}"
        if "flat" in detail:
            detail["flat"] = flat
        watched = category in WATCHED
        hostility = r.betavariate(1.3, 2.2) if watched else 0.0
        escalates = watched and r.random() < 1 / (1 + math.exp(-12 * (hostility - 0.62)))
        calls: list[Call] = []

        def cues_for() -> list[str]:
            found = [
                r.choice(words)
                for name, words in CUES.items()
                if r.random() < 0.04 + 0.55 * hostility**1.5
            ]
            return found if watched else []

        def text() -> str:
            return self._text(category, detail, self._at_text(place, building), cues_for())

        # Disputes come back when tempers are high: night hours more likely.
        if watched and r.random() < 0.1 + 0.5 * hostility:
            at = at.replace(hour=r.choice((22, 23, 0, 1, 2)))
        calls.append(
            self._call(
                at=at,
                person=person,
                place=place,
                category=category,
                text=text(),
                building=building,
                flat=flat,
            )
        )
        last = at
        if category in PUBLIC_EVENTS:
            for _ in range(min(int(r.expovariate(1.2)), 4)):
                witness = r.choice(self.people)
                when = at + timedelta(minutes=r.uniform(1, 40))
                calls.append(
                    self._call(
                        at=when,
                        person=witness,
                        place=place,
                        category=category,
                        text=text(),
                        building=building,
                        flat=flat,
                        far=r.random() < 0.3,
                    )
                )
        if r.random() < 0.15:
            when = at + timedelta(minutes=r.uniform(10, 110))
            body = r.choice(REPEATS).format(s=spec.subject)
            calls.append(
                self._call(
                    at=when,
                    person=person,
                    place=place,
                    category=category,
                    text=body + r.choice(SUFFIXES),
                    building=building,
                    flat=flat,
                )
            )
        repeats = 0
        if watched:
            repeats = sum(r.random() < 0.15 + 0.65 * hostility for _ in range(3))
        elif category not in ("fraud", "robbery", "missing_person", "rescue", "fire"):
            repeats = int(r.random() < 0.15)
        for _ in range(repeats):
            last = last + timedelta(hours=r.uniform(12, 140) * (1.2 - hostility))
            phone = None
            if len(person.phones) > 1 and r.random() < 0.5:
                phone = person.phones[1]
            body = r.choice(FOLLOW_UPS).format(s=spec.subject)
            if r.random() < 0.5:
                body = text()  # a later call that says it all again, not "上次"
            elif watched:
                body = body + ("，" + "，".join(cues_for()) if cues_for() else "")
            calls.append(
                self._call(
                    at=last,
                    person=person,
                    place=place,
                    category=category,
                    text=body,
                    building=building,
                    flat=flat,
                    far=r.random() < 0.25,
                    phone=phone,
                )
            )
        labelled = [Labelled(c, matter, escalates if watched else None) for c in calls]
        if escalates:
            last = last + timedelta(hours=r.uniform(6, 96))
            violent = r.choice(("fight", "domestic_violence"))
            body = r.choice(VIOLENT_TEXTS).format(at=self._at_text(place, building))
            call = self._call(
                at=last,
                person=person,
                place=place,
                category=violent,
                text=body,
                building=building,
                flat=flat,
            )
            labelled.append(Labelled(call, matter, None))
        return labelled


def dataset(split: str, *, matters: int = 1200, days: int = 30) -> list[Labelled]:
    """The labelled calls of one split (`train`, `tune` or `test`)."""
    assert set(BY_CODE) >= set(SPECS)
    return Generator(SEEDS[split], matters=matters, days=days).generate()
