from django.contrib import admin
from django.urls import include, path

from shouwang.api import api
from shouwang.core import views as core_views

admin.site.site_header = "守望 Shouwang"
admin.site.site_title = "守望 Shouwang"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("open311/v2/", include("shouwang.open311.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shouwang.core.urls")),
    path("", include("shouwang.cases.urls")),
    path("", include("shouwang.notify.urls")),
    path("", include("shouwang.places.urls")),
    path("", include("shouwang.devices.urls")),
    path("", include("shouwang.insight.urls")),
    path("", include("shouwang.mediation.urls")),
    path("", include("shouwang.inspections.urls")),
    path("", include("shouwang.community.urls")),
    path("", include("shouwang.housing.urls")),
]
# Uploaded media is never served from a public URL, in any mode: case photos go out through
# the API after a permission check (cases/api.py download_attachment).
