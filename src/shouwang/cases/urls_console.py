"""Page routes of the command room: the dispatcher console, call intake, one case, and the big
screen (views/console*.py). The case room's socket is in routing.py."""

from django.urls import URLPattern, URLResolver, path

from shouwang.cases.views import console, console_case, console_intake

urlpatterns: list[URLPattern | URLResolver] = [
    path("console/", console.console, name="console"),
    path("console/rows/", console.console_rows_view, name="console-rows"),
    path("console/map.json", console.console_map_data, name="console-map"),
    path("console/new/", console_intake.intake, name="console-intake"),
    path("console/new/categories/", console_intake.intake_categories, name="console-categories"),
    path("console/new/duplicates/", console_intake.intake_duplicates, name="console-duplicates"),
    path("console/cases/<int:case_id>/", console_case.case_detail, name="console-case"),
    path(
        "console/cases/<int:case_id>/part/<slug:part>/",
        console_case.case_part,
        name="console-case-part",
    ),
    path(
        "console/cases/<int:case_id>/<slug:action>/",
        console_case.case_action,
        name="console-case-action",
    ),
    path("screen/", console.screen, name="screen"),
    path("screen/panel/", console.screen_panel, name="screen-panel"),
]
