"""WebSocket routes of this app (gathered by shouwang/routing.py)."""

from django.urls import URLPattern, URLResolver, path

from shouwang.notify.consumers import NotifyConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    # Channels routes its ASGI consumers with Django's path(), whose stub expects a view.
    path("ws/notify/", NotifyConsumer.as_asgi()),  # type: ignore[arg-type]
]
