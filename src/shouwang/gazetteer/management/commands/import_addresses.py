"""`shouwang import-addresses FILE`: a city's standard addresses from CSV or Excel (columns
address, lat, lng, optional node_code and kind). Bad rows are listed by line; the rest load.
Running it again with the same file changes nothing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from shouwang.gazetteer.services import addresses_import, read_rows


class Command(BaseCommand):
    help = "Import standard addresses (CSV or .xlsx: address, lat, lng[, node_code, kind])."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        rows = tqdm(read_rows(path), desc="addresses", unit=" rows", disable=options["no_progress"])
        report = addresses_import(rows=rows)
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, errors {len(report.errors)}"
        )
