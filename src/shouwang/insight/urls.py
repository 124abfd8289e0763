"""Page routes of insight (KPI pages, reports), mounted at the site root."""

from django.urls import URLPattern, URLResolver, path

from shouwang.insight import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("kpi/", views.kpi_page, name="kpi"),
    path("kpi/export.xlsx", views.kpi_export, name="kpi-export"),
    path("bulletins/", views.bulletins_page, name="bulletins"),
    path("bulletins/<int:issue_id>/<str:fmt>", views.bulletin_file, name="bulletin-file"),
]
