"""One ASGI application for HTTP (Django's own ASGI handler) and WebSocket (Channels)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
django_http_app = get_asgi_application()  # sets Django up: the imports below need it

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from shouwang.core.admission import HttpAdmission  # noqa: E402
from shouwang.notify.serving_loop import ServingLoopMiddleware  # noqa: E402
from shouwang.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # A quick 503 past SHOUWANG_HTTP_MAX_IN_FLIGHT requests at once (core/admission.py).
        "http": HttpAdmission(django_http_app),
        # Records the serving event loop: with the in-memory channel layer (embedded mode),
        # worker threads must send on it or waiting sockets are never woken.
        "websocket": ServingLoopMiddleware(
            AllowedHostsOriginValidator(
                # Django's URLPattern, as Channels documents; types-channels wants its own type.
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))  # type: ignore[arg-type]
            )
        ),
    }
)
