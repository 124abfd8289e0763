"""shouwang worker: the background loops without the web server (production)."""

from typing import Any

from django.core.management.base import BaseCommand

from shouwang.core.workers import WORKER_LOOPS, run_workers_forever


class Command(BaseCommand):
    help = "Run the background worker loops (outbox delivery, deadline sweeper, ...)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("worker loops: " + (", ".join(w.name for w in WORKER_LOOPS) or "none"))
        run_workers_forever()
