"""Page routes (one screen family per module, so each is owned and changed on its own)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
