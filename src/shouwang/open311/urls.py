"""Open311 GeoReport v2 routes, mounted at /open311/v2/ by shouwang/urls.py."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
