"""Page routes of mediation, mounted at the site root."""

from django.urls import URLPattern, URLResolver, path

from shouwang.mediation import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("mediation/", views.file_list, name="mediation-list"),
    path("mediation/export.xlsx", views.file_export, name="mediation-export"),
    path("mediation/today/", views.today, name="mediation-today"),
    path("mediation/figures/", views.figures_page, name="mediation-figures"),
    path("mediation/kpi-section/", views.kpi_section, name="mediation-kpi"),
    path("mediation/new/", views.file_new_lookup, name="mediation-new-lookup"),
    path("mediation/new/<int:case_id>/", views.file_new, name="mediation-new"),
    path("mediation/<int:file_id>/", views.file_detail, name="mediation-file"),
    path("mediation/<int:file_id>/<str:step>/", views.file_step, name="mediation-step"),
    path("risk/alerts/", views.alert_list, name="risk-alerts"),
    path("risk/alerts/<int:alert_id>/follow-up/", views.alert_follow_up, name="risk-follow-up"),
]
