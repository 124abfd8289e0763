"""The trained models: trained at first use from the seeded generator's training split
(deterministic: same seed, same library versions, same model) and cached on disk under
`DATA_DIR/insight/`, so a process trains at most once and later processes load in a blink.
`shouwang insight train` does it ahead of time (the demo and the worker call it)."""

import hashlib
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import sklearn
from django.conf import settings
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from shouwang.insight.ml import category, matter, risk, synth, taxonomy, text
from shouwang.insight.ml.synth import Labelled

VERSION = "1"
TRAIN_MATTERS = 1500


@dataclass(frozen=True)
class Models:
    pair: matter.PairModel
    category: category.CategoryModel
    risk: risk.RiskModel


def pair_rows(data: list[Labelled]) -> tuple[list[list[float]], list[int]]:
    """Every blocked candidate pair of `data` with its truth (same matter or not)."""
    truth = {x.call.id: x.matter for x in data}
    index = matter.MatterIndex(matter.PairModel(None))
    rows, labels = [], []
    for x in data:
        new = matter.prepare(x.call)
        for c in index.candidates(new):
            rows.append(matter.features(c, new))
            labels.append(int(truth[c.call.id] == x.matter))
        index.insert(new, x.matter)
    return rows, labels


def train_pair(data: list[Labelled]) -> matter.PairModel:
    rows, labels = pair_rows(data)
    estimator = LogisticRegression(C=1.0, max_iter=5000)
    estimator.fit(np.asarray(rows), np.asarray(labels))
    return matter.PairModel([float(c) for c in estimator.coef_[0]], float(estimator.intercept_[0]))


def train_category(data: list[Labelled]) -> category.CategoryModel:
    pipeline = category.new_pipeline()
    pipeline.fit([x.call.text for x in data], [x.call.category for x in data])
    return category.CategoryModel(pipeline)


def risk_rows(
    data: list[Labelled], pair: matter.PairModel
) -> tuple[list[list[float]], list[int], list[risk.RiskInput]]:
    """Features of every watched call whose outcome is known, replayed through the matter
    index as the live product sees them (earlier calls only)."""
    index = matter.MatterIndex(pair)
    rows, labels, inputs = [], [], []
    for x in data:
        new, found = index.add(x.call)
        if x.escalates is None:
            continue
        item = risk_input(index, new, found.matter)
        rows.append(risk.risk_features(item))
        labels.append(int(x.escalates))
        inputs.append(item)
    return rows, labels, inputs


def risk_input(index: matter.MatterIndex, new: matter.Prepared, matter_id: str) -> risk.RiskInput:
    before = [p for p in index.history[matter_id] if p.ts < new.ts or p is not new]
    before = [p for p in before if p is not new]
    nearby = index.candidates(new)
    return risk.RiskInput(new, before, risk.place_history(nearby, new))


def train_risk(data: list[Labelled], pair: matter.PairModel) -> risk.RiskModel:
    rows, labels, _inputs = risk_rows(data, pair)
    estimator = LogisticRegression(C=1.0, max_iter=2000)
    estimator.fit(np.asarray(rows), np.asarray(labels))
    return risk.RiskModel(estimator)


def train(matters: int = TRAIN_MATTERS) -> Models:
    with threadpool_limits(1):  # one thread: faster than many on a shared machine
        data = synth.dataset("train", matters=matters)
        pair = train_pair(data)
        from shouwang.insight.ml.evaluate import tune_threshold

        tune = synth.dataset("tune", matters=max(matters // 2, 100))
        pair.threshold = tune_threshold(pair, tune)
        return Models(pair, train_category(data), train_risk(data, pair))


def fingerprint(matters: int) -> str:
    """Changes whenever the code that makes the models does."""
    digest = hashlib.sha256(f"{VERSION}|{sklearn.__version__}|{matters}".encode())
    for module in (category, matter, risk, synth, taxonomy, text):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


def cache_path(matters: int = TRAIN_MATTERS) -> Path:
    return Path(settings.DATA_DIR) / "insight" / f"models-{fingerprint(matters)}.pickle"


@lru_cache(maxsize=1)
def models() -> Models:
    """The trained models, from the disk cache or trained now (about half a minute)."""
    path = cache_path()
    if path.exists():
        with path.open("rb") as f:
            loaded: Models = pickle.load(f)  # noqa: S301 (our own file, written below)
            return loaded
    built = train()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as f:
        pickle.dump(built, f)
    partial.replace(path)
    return built
