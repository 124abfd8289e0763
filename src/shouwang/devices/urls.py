"""Page routes of this app (mounted at the site root by shouwang/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shouwang.devices import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("devices/ack/<str:token>/", views.ack_link, name="devices-ack-link"),
]
