"""Page routes of the inspections app: the public QR safety page and the inspector's phone pages."""

from django.urls import path

from shouwang.inspections import views

urlpatterns = [
    path("q/<str:token>/", views.qr_page, name="premises-qr"),
    path("m/inspections/", views.field_premises, name="inspections-field"),
    path("m/inspections/<str:code>/", views.field_inspect, name="inspections-inspect"),
    path("m/hazards/", views.field_hazards, name="inspections-hazards"),
    path("m/hazards/export.xlsx", views.field_hazards_export, name="inspections-hazards-export"),
    path("m/notices/", views.field_notices, name="inspections-notices"),
    path(
        "m/notices/<int:notice_id>/read/", views.field_notice_read, name="inspections-notice-read"
    ),
]
