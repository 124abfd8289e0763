"""WebSocket routes of this app (gathered by shouwang/routing.py)."""

from django.urls import URLPattern, URLResolver

websocket_urlpatterns: list[URLPattern | URLResolver] = []
