"""Demo data of the loop: the demo's routing rules and service levels (`rules.py`) and a
fortnight of cases replayed through the real services (`cases.py`). The demo seeding calls
`seed_demo_cases` once the demo city exists."""

from shouwang.cases.demo.cases import seed_demo_cases
from shouwang.cases.demo.rules import demo_rules_install

__all__ = ["demo_rules_install", "seed_demo_cases"]
