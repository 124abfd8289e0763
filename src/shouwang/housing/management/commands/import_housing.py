"""`shouwang import-housing FILE`: rental premises and rooms from Excel or CSV, with a progress
bar, a line per bad row, and the rate achieved. Safe to run again on the same file."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from shouwang.core.errors import ApplicationError
from shouwang.core.models import AuditAction
from shouwang.core.services.audit import audit_record
from shouwang.housing.importing import housing_import


class Command(BaseCommand):
    help = "Import rental premises and rooms from an Excel (.xlsx) or CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        started = time.monotonic()
        with tqdm(unit="row", disable=options["no_progress"], desc="import-housing") as bar:
            try:
                result = housing_import(path=path, progress=bar.update)
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from exc
        seconds = max(time.monotonic() - started, 1e-9)
        for number, reason in result.errors:
            self.stderr.write(f"row {number}: {reason}")
        audit_record(
            action=AuditAction.DATA_IMPORTED,
            actor_username="system",
            detail={
                "what": "housing",
                "file": path.name,
                "rows": result.rows,
                "rooms": result.rooms,
                "errors": len(result.errors),
            },
        )
        self.stdout.write(
            f"{result.rows} rows, {result.premises_created} premises created, "
            f"{result.rooms} rooms, {len(result.errors)} errors, "
            f"{result.rows / seconds:.0f} rows/s"
        )
