"""shouwang serve: one process serving HTTP and WebSocket (uvicorn), plus the embedded
background workers registered by the apps (unless --no-workers). Several such processes, each on
its own port behind nginx and supervised by systemd, are the production layout (docs/deploy.md)."""

import contextlib
import sys
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from uvicorn.config import STARTUP_FAILURE

from shouwang.core.workers import run_stop_hooks, start_embedded_workers


class Command(BaseCommand):
    help = "Serve Shouwang (HTTP + WebSocket) with the embedded background workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.SHOUWANG_SERVE_HOST)
        parser.add_argument("--port", type=int, default=settings.SHOUWANG_SERVE_PORT)
        parser.add_argument("--no-workers", action="store_true", help="web only")
        parser.add_argument("--log-level", default="info")
        parser.add_argument(
            "--limit-concurrency",
            type=int,
            default=settings.SHOUWANG_LIMIT_CONCURRENCY,
            help="uvicorn's limit on connections, WebSockets included (0 = none); HTTP "
            "requests are limited by SHOUWANG_HTTP_MAX_IN_FLIGHT",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_workers"]:
            start_embedded_workers()
        self._serve(options)
        run_stop_hooks()

    def _serve(self, options: dict[str, Any]) -> None:
        config = uvicorn.Config(
            "shouwang.asgi:application",
            host=options["host"],
            port=options["port"],
            lifespan="off",
            log_level=options["log_level"],
            # X-Forwarded-For is believed only from these (nginx on this machine by default);
            # uvicorn then puts the client it names in REMOTE_ADDR (core/services/audit.py).
            proxy_headers=True,
            forwarded_allow_ips=settings.SHOUWANG_TRUSTED_PROXIES,
            # Admission control is core/admission.py, for HTTP requests only: this one counts
            # every open socket too, and a city keeps hundreds open.
            limit_concurrency=options["limit_concurrency"] or None,
        )
        server = uvicorn.Server(config)
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        if not server.started:  # e.g. the port is taken: say so by the exit code, as uvicorn.run
            sys.exit(STARTUP_FAILURE)
