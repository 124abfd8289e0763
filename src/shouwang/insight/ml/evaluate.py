"""The evaluation of docs/insight.md: each model on the generator's TEST split (seed 2017,
never used for training or tuning), beside simple baselines.

- same matter: pairwise precision, recall and F1 over all pairs of calls received within 7
  days of each other; baselines "same phone" and "≤ 100 m ∧ ≤ 2 h ∧ same family";
- category: macro-F1 over the leaf categories; baseline the taxonomy's keyword rules (the
  first category whose keyword is in the text, as the cases app's keywords read);
- risk: ROC AUC and recall in the top 10 % over watched calls with a known outcome; baseline
  the keyword-and-repeat rule mediation used before (cues, third call at a place, night)."""

import itertools
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sklearn.metrics import f1_score, roc_auc_score
from threadpoolctl import threadpool_limits

from shouwang.insight.ml import artifacts, matter, synth
from shouwang.insight.ml.synth import Labelled
from shouwang.insight.ml.taxonomy import LEAVES, family_of

SEVEN_DAYS = 7 * 86400

# The taxonomy's keywords (cases migration 0002), leaf categories only.
KEYWORDS = {
    "fight": "打架 斗殴 打人 持刀",
    "theft": "偷 被盗 小偷 扒窃 电动车被偷",
    "robbery": "抢劫 抢夺 抢包",
    "fraud": "诈骗 电信诈骗 被骗 刷单 转账",
    "domestic_violence": "家暴",
    "disturbance": "闹事 醉酒 滋事",
    "gambling": "赌博 聚赌 麻将",
    "missing_person": "走失 找人 老人 小孩 失联",
    "suspicious": "可疑 陌生人",
    "traffic_accident": "车祸 撞车 追尾 刮擦 交通事故",
    "drunk_driving": "酒驾 醉驾",
    "traffic_jam": "堵车 拥堵",
    "fire": "着火 火灾 冒烟 起火",
    "gas_leak": "燃气 煤气 液化气 泄漏 气味",
    "rescue": "求助 被困 电梯困人 溺水 救援",
    "noise": "噪音 扰民 施工噪音 广场舞 吵",
    "street_vending": "占道 摆摊 流动摊贩 出店经营",
    "illegal_construction": "违建 搭建",
    "garbage": "垃圾 堆放 乱扔",
    "fire_lane_blocked": "消防通道 堵塞 占用 车辆堵塞",
    "ebike_charging": "电动车 充电 飞线 楼道 室内充电",
    "rental_fire_hazard": "出租房 群租 消防 灭火器 烟感",
    "gas_cylinder_hazard": "液化气瓶 钢瓶 燃气 隐患",
    "neighbour_dispute": "邻里 邻居 漏水 噪音 纠纷",
    "labour_dispute": "欠薪 工资 讨薪 劳资",
    "rental_dispute": "房租 押金 房东 租客",
    "consumer_dispute": "消费 退款 商家 质量",
    "facility_damage": "损坏 路灯 井盖 监控 摄像头",
    "utility_outage": "停水 停电 断电",
    "consultation": "咨询 求助 投诉 建议",
}
RULE_CUES = (
    ("喝酒", "醉酒", "酒后", "醉", "酒"),
    ("威胁", "扬言", "报复"),
    ("持刀", "菜刀", "刀", "棍", "斧"),
    ("家暴", "家庭暴力"),
    ("打人", "殴打", "打架", "动手", "杀"),
    ("越吵越凶", "激烈", "升级", "情绪激动"),
)
RULE_WEIGHTS = (0.15, 0.2, 0.3, 0.2, 0.2, 0.1)


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, tp: int, predicted: int, actual: int) -> "PRF":
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        return cls(round(p, 3), round(r, 3), round(2 * p * r / (p + r), 3) if p + r else 0.0)


def _pairs_within(groups: dict[str, list[Labelled]]) -> set[tuple[str, str]]:
    out = set()
    for members in groups.values():
        for a, b in itertools.combinations(members, 2):
            if abs(a.call.received_at.timestamp() - b.call.received_at.timestamp()) <= SEVEN_DAYS:
                out.add((min(a.call.id, b.call.id), max(a.call.id, b.call.id)))
    return out


def true_pairs(data: list[Labelled]) -> set[tuple[str, str]]:
    groups: dict[str, list[Labelled]] = defaultdict(list)
    for x in data:
        groups[x.matter].append(x)
    return _pairs_within(groups)


def predicted_matters(data: list[Labelled], pair: matter.PairModel) -> dict[str, str]:
    index = matter.MatterIndex(pair)
    for x in data:
        index.add(x.call)
    return index.matter_of


def matter_prf(data: list[Labelled], matter_of: dict[str, str]) -> PRF:
    groups: dict[str, list[Labelled]] = defaultdict(list)
    for x in data:
        groups[matter_of[x.call.id]].append(x)
    predicted, actual = _pairs_within(groups), true_pairs(data)
    return PRF.of(len(predicted & actual), len(predicted), len(actual))


def baseline_prf(data: list[Labelled], same: Callable[[Labelled, Labelled], bool]) -> PRF:
    """A pairwise rule over all pairs within 7 days (the data is sorted by time)."""
    actual = true_pairs(data)
    predicted = set()
    for i, a in enumerate(data):
        for b in data[i + 1 :]:
            if b.call.received_at.timestamp() - a.call.received_at.timestamp() > SEVEN_DAYS:
                break
            if same(a, b):
                predicted.add((min(a.call.id, b.call.id), max(a.call.id, b.call.id)))
    return PRF.of(len(predicted & actual), len(predicted), len(actual))


def same_phone(a: Labelled, b: Labelled) -> bool:
    return bool(a.call.caller) and a.call.caller == b.call.caller


def near_recent_family(a: Labelled, b: Labelled) -> bool:
    d = matter.distance_m(a.call, b.call)
    hours = abs((b.call.received_at - a.call.received_at).total_seconds()) / 3600
    return (
        d is not None
        and d <= 100
        and hours <= 2
        and family_of(a.call.category) == family_of(b.call.category)
    )


def keyword_category(text: str) -> str:
    for code, words in KEYWORDS.items():
        if any(w in text for w in words.split()):
            return code
    return "consultation"


def rule_risk(item: Any) -> float:
    place = [p for p in item.place_before if item.call.ts - p.ts <= SEVEN_DAYS]
    score = 0.0
    count = len(place) + 1
    if count >= 2:
        score += 0.5 if count >= 3 else 0.25
    for words, weight in zip(RULE_CUES, RULE_WEIGHTS, strict=True):
        if any(w in item.call.call.text for w in words):
            score += weight
    hour = item.call.call.received_at.astimezone(synth.SHANGHAI).hour
    if hour >= 22 or hour < 6:
        score += 0.1
    return min(score, 1.0)


def recall_at_top(scores: list[float], labels: list[int], share: float = 0.1) -> float:
    k = max(1, math.ceil(len(scores) * share))
    top = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    positives = sum(labels)
    return round(sum(labels[i] for i in top) / positives, 3) if positives else 0.0


def tune_threshold(pair: matter.PairModel, data: list[Labelled]) -> float:
    """The threshold with the best pairwise F1 on the TUNE split."""
    best, best_f1 = pair.threshold, -1.0
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        trial = matter.PairModel(list(pair.coef), pair.intercept, threshold)
        f1 = matter_prf(data, predicted_matters(data, trial)).f1
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    return best


def evaluate(*, matters: int = 1200, models: artifacts.Models | None = None) -> dict[str, Any]:
    """Every figure of docs/insight.md, on a fresh test split of `matters` matters."""
    with threadpool_limits(1):
        trained = models or artifacts.models()
        test = synth.dataset("test", matters=matters)
        matter_of = predicted_matters(test, trained.pair)
        texts = [x.call.text for x in test]
        truth = [x.call.category for x in test]
        labels = [leaf.code for leaf in LEAVES]
        model_cats = trained.category.predict(texts)
        _rows, risk_labels, inputs = artifacts.risk_rows(test, trained.pair)
        model_risk = [trained.risk.score(item)[0] for item in inputs]
        baseline_risk = [rule_risk(item) for item in inputs]
        confident = [s for s in (trained.category.suggest(t, top=1)[0] for t in texts)]
        sure = [i for i, s in enumerate(confident) if s.confident]
        return {
            "test": {
                "seed": synth.SEEDS["test"],
                "calls": len(test),
                "matters": len({x.matter for x in test}),
                "pairs_within_7_days_same_matter": len(true_pairs(test)),
                "watched_calls": len(inputs),
                "escalating": sum(risk_labels),
            },
            "same_matter": {
                "model": matter_prf(test, matter_of).__dict__,
                "threshold": trained.pair.threshold,
                "baseline_same_phone": baseline_prf(test, same_phone).__dict__,
                "baseline_100m_2h_family": baseline_prf(test, near_recent_family).__dict__,
            },
            "category": {
                "model_macro_f1": round(
                    float(f1_score(truth, model_cats, labels=labels, average="macro")), 3
                ),
                "baseline_keywords_macro_f1": round(
                    float(
                        f1_score(
                            truth,
                            [keyword_category(t) for t in texts],
                            labels=labels,
                            average="macro",
                        )
                    ),
                    3,
                ),
                "confident_share": round(len(sure) / len(texts), 3),
                "accuracy_when_confident": round(
                    sum(model_cats[i] == truth[i] for i in sure) / len(sure), 3
                )
                if sure
                else 0.0,
            },
            "risk": {
                "model_auc": round(float(roc_auc_score(risk_labels, model_risk)), 3),
                "model_recall_top10": recall_at_top(model_risk, risk_labels),
                "baseline_rule_auc": round(float(roc_auc_score(risk_labels, baseline_risk)), 3),
                "baseline_rule_recall_top10": recall_at_top(baseline_risk, risk_labels),
            },
        }
