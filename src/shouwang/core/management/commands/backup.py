"""shouwang backup PATH: a consistent copy of the database, taken while it serves (SQLite's
online backup, or pg_dump's custom format). See core/services/backup.py and docs/deploy.md."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.errors import ApplicationError
from shouwang.core.services.backup import database_backup


class Command(BaseCommand):
    help = "Back up the whole database to PATH (备份)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = database_backup(path=options["path"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"{result.engine} backup {result.path} ({result.size} bytes) "
            f"in {time.monotonic() - started:.1f} s"
        )
