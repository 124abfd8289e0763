"""`shouwang bulletin --period daily|weekly|monthly --date YYYY-MM-DD --node CODE
--format html|pdf|xlsx --output PATH`: one bulletin (日通报、周汇总、月分析), read as the first
active admin."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import translation

from shouwang.core.errors import ApplicationError
from shouwang.core.models import Role, User
from shouwang.insight.bulletin import PERIODS, RENDERERS, bulletin_build, bulletin_periods, days_of
from shouwang.insight.services import rollups_refresh


class Command(BaseCommand):
    help = "Writes a bulletin (daily, weekly or monthly) as HTML, PDF or Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", choices=PERIODS, required=True)
        parser.add_argument("--date", type=date.fromisoformat, required=True)
        parser.add_argument("--node", default=None)
        parser.add_argument("--format", choices=sorted(RENDERERS), default="pdf")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        reader = (
            User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
            .order_by("pk")
            .first()
        )
        if reader is None:
            raise CommandError("no active admin to read the figures as")
        # The periods' rollups are made exact first (the worker may not be running here).
        rollups_refresh(days=days_of(bulletin_periods(options["period"], options["date"])))
        with translation.override("zh-hans"):
            try:
                bulletin = bulletin_build(
                    user=reader,
                    kind=options["period"],
                    day=options["date"],
                    node_code=options["node"],
                )
            except ApplicationError as exc:
                raise CommandError(str(exc)) from exc
            options["output"].write_bytes(RENDERERS[options["format"]](bulletin))
        self.stdout.write(str(options["output"]))
