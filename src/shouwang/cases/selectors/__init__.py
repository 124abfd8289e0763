"""The reads of the closed loop other apps may use (import-linter holds them to this package's
names and to cases.feeders and cases.models; see docs/architecture.md, "Kernel and layers").
Inside cases, import the modules themselves."""

from shouwang.cases.rules.authority import is_admin
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.rules.visibility import can_see_case, visible_cases_q
from shouwang.cases.selectors.cases import visible_cases
from shouwang.cases.selectors.categories import categories_list, category_by_code
from shouwang.cases.selectors.kpi import MAX_PERIOD, kpi_loop

__all__ = [
    "MAX_PERIOD",
    "SHANGHAI",
    "can_see_case",
    "categories_list",
    "category_by_code",
    "is_admin",
    "kpi_loop",
    "visible_cases",
    "visible_cases_q",
]
