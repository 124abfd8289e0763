"""`shouwang insight score-calls IN.jsonl OUT.jsonl` (the batch contract, docs/insight.md),
`shouwang insight train` (train and cache the models ahead of time) and
`shouwang insight evaluate` (every figure of docs/insight.md, as JSON)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Insight models: score-calls IN OUT | train | evaluate"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score-calls", help="Score calls: one JSON object per line.")
        score.add_argument("input", type=Path)
        score.add_argument("output", type=Path)
        sub.add_parser("train", help="Train the models and cache them under DATA_DIR/insight.")
        evaluate = sub.add_parser("evaluate", help="Evaluate on the test split; print JSON.")
        evaluate.add_argument("--matters", type=int, default=1200)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "score-calls":
            self.score_calls(options["input"], options["output"])
        elif action == "train":
            from shouwang.insight.ml.artifacts import cache_path, models

            models()
            self.stdout.write(str(cache_path()))
        else:
            from shouwang.insight.ml.evaluate import evaluate

            figures = evaluate(matters=options["matters"])
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))

    def score_calls(self, source: Path, target: Path) -> None:
        from shouwang.insight.scoring import score_calls

        records = []
        try:
            with source.open(encoding="utf-8") as f:
                for number, line in enumerate(f, start=1):
                    if line.strip():
                        try:
                            records.append(json.loads(line))
                        except json.JSONDecodeError as exc:
                            raise CommandError(f"{source}:{number}: {exc}") from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            results = score_calls(records)
        except (KeyError, ValueError) as exc:
            raise CommandError(f"bad input: {exc}") from exc
        with target.open("w", encoding="utf-8") as f:
            for result in results:
                f.write(json.dumps(result, ensure_ascii=False) + "\n")
