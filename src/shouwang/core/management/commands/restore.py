"""shouwang restore PATH: replaces the database's contents with a backup made by
`shouwang backup` (stop the server first). --to URL restores into another database instead,
e.g. an empty one to check a backup. See core/services/backup.py and docs/deploy.md."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.errors import ApplicationError
from shouwang.core.services.backup import database_restore


class Command(BaseCommand):
    help = "Restore the database from a backup made by `shouwang backup` (恢复)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--to", dest="target_url", help="database URL to restore into")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            engine = database_restore(path=options["path"], target_url=options["target_url"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"{engine} restore from {options['path']} in {time.monotonic() - started:.1f} s"
        )
