"""Page routes of the field: the responder's phone page (/m/) and the public pages for citizens
and volunteers (report, receipt, tracking with the satisfaction rating)."""

from django.urls import URLPattern, URLResolver, path

from shouwang.cases.views import field, public

urlpatterns: list[URLPattern | URLResolver] = [
    path("m/", field.tasks, name="field-tasks"),
    path("m/tasks/", field.task_list, name="field-task-list"),
    path("m/cases/<int:case_id>/", field.task, name="field-task"),
    path("m/cases/<int:case_id>/panel/", field.task_panel, name="field-task-panel"),
    path("m/cases/<int:case_id>/accept/", field.accept, name="field-accept"),
    path("m/cases/<int:case_id>/arrive/", field.arrive, name="field-arrive"),
    path("m/cases/<int:case_id>/resolve/", field.resolve, name="field-resolve"),
    path("m/cases/<int:case_id>/return/", field.return_case, name="field-return"),
    path("m/cases/<int:case_id>/photos/", field.photo, name="field-photo"),
    path("m/cases/<int:case_id>/messages/", field.message, name="field-message"),
    path("report/", public.report, name="citizen-report"),
    path("report/outline.geojson", public.outline, name="citizen-report-outline"),
    path("report/received/<str:receipt_code>/", public.receipt, name="citizen-receipt"),
    path("track/", public.track_lookup, name="citizen-track-lookup"),
    path("track/<str:receipt_code>/", public.track, name="citizen-track"),
    path("track/<str:receipt_code>/rate/", public.rate, name="citizen-rate"),
]
