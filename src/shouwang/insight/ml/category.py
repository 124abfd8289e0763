"""Category suggestion from the call text: character 1-2-gram TF-IDF (Chinese has no spaces;
characters need no segmenter and no dictionary) and a multinomial logistic regression, whose
probability is the confidence. Below `CONFIDENT` the dispatcher chooses."""

from dataclasses import dataclass
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from shouwang.insight.ml.text import normalise

CONFIDENT = 0.5


def new_pipeline() -> Pipeline:
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=2,
                    preprocessor=normalise,
                ),
            ),
            ("clf", LogisticRegression(C=10.0, max_iter=2000)),
        ]
    )


@dataclass(frozen=True)
class Suggestion:
    code: str
    confidence: float
    confident: bool


class CategoryModel:
    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    def suggest(self, text: str, *, top: int = 3) -> list[Suggestion]:
        if not text.strip():
            return []
        probabilities = self.pipeline.predict_proba([text])[0]
        classes = self.pipeline.classes_
        order = probabilities.argsort()[::-1][:top]
        return [
            Suggestion(
                str(classes[i]),
                round(float(probabilities[i]), 3),
                float(probabilities[i]) >= CONFIDENT,
            )
            for i in order
        ]

    def predict(self, texts: list[str]) -> list[str]:
        return [str(c) for c in self.pipeline.predict(texts)]
