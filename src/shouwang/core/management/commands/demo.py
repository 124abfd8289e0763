"""shouwang demo: migrate, build the small demo city (once), print the logins, serve."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Set up and serve the demo city on this machine (演示)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "city"], default="small")
        parser.add_argument("--port", type=int, default=settings.SHOUWANG_SERVE_PORT)
        parser.add_argument("--no-serve", action="store_true", help="set up only")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", scale=options["scale"])
        if options["no_serve"]:
            return
        self.stdout.write(f"\n守望 Shouwang: http://127.0.0.1:{options['port']}/  (Ctrl-C to stop)")
        call_command("serve", host="127.0.0.1", port=options["port"])
