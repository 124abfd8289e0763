"""WebSocket routes of every app, gathered in one list for asgi.py."""

from django.urls import URLPattern, URLResolver

from shouwang.cases.websocket_routes import websocket_urlpatterns as cases_ws
from shouwang.devices.websocket_routes import websocket_urlpatterns as devices_ws
from shouwang.notify.routing import websocket_urlpatterns as notify_ws

websocket_urlpatterns: list[URLPattern | URLResolver] = [*cases_ws, *notify_ws, *devices_ws]
