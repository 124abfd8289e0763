"""WebSocket routes of this app (gathered by shouwang/routing.py)."""

from django.urls import URLPattern, URLResolver, path

from shouwang.cases.consumers import CaseRoomConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    # Channels routes its ASGI consumers with Django's path(), whose stub expects a view.
    path("ws/cases/<int:case_id>/", CaseRoomConsumer.as_asgi()),  # type: ignore[arg-type]
]
