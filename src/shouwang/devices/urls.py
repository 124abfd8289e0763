"""Page routes of this app (mounted at the site root by shouwang/urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
