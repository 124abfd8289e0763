"""The insight models: same matter (repeat and duplicate calls), category suggestion and
dispute escalation risk. Pure Python over plain `Call` records — no database — so that the live
product, `shouwang insight score-calls` and the evaluation run the very same code
(docs/insight.md)."""
