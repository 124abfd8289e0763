"""WebSocket routes of this app (gathered by shouwang/routing.py)."""

from django.urls import URLPattern, URLResolver, path

from shouwang.notify.consumers import NotifyConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/notify/", NotifyConsumer.as_asgi()),
]
