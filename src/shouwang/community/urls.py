"""Page routes of community forces (mounted at the site root by shouwang/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shouwang.community import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("m/points/", views.my_points, name="community-points"),
    path("m/patrol/", views.patrol, name="community-patrol"),
    path("m/patrol/checkin/", views.checkin, name="community-checkin"),
    path("m/patrol/finding/", views.finding, name="community-finding"),
    path("m/patrol/shift/", views.shift, name="community-shift"),
    path("m/groups/", views.my_groups, name="community-groups"),
    path("m/groups/<str:code>/alert/", views.alert_raise, name="community-alert-raise"),
    path("m/alerts/<int:alert_id>/", views.alert_page, name="community-alert"),
    path("m/alerts/<int:alert_id>/respond/", views.alert_respond, name="community-alert-respond"),
    path("community/figures/", views.figures, name="community-figures"),
    path("community/redemptions/", views.redemption_queue, name="community-redemptions"),
    path("community/points.xlsx", views.points_export, name="community-points-export"),
    path("community/posts/<str:code>/qr.pdf", views.post_qr_sheet, name="community-post-qr"),
]
