"""shouwang open311-key NAME [--node CODE]: issues an Open311 API key and prints it, alone on
standard output so a script can capture it. It is shown this once; only its digest is kept."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.errors import ApplicationError
from shouwang.core.models import JurisdictionNode
from shouwang.open311.services import api_key_issue


class Command(BaseCommand):
    help = "Issue a new Open311 GeoReport v2 API key (签发 Open311 API 密钥) and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="who uses the key, e.g. the partner system's name")
        parser.add_argument(
            "--node", default="", help="jurisdiction code the key may post in (default: all)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        node = None
        if options["node"]:
            node = JurisdictionNode.objects.filter(code=options["node"]).first()
            if node is None:
                raise CommandError(f"辖区不存在 / no jurisdiction node with code {options['node']}")
        try:
            issued = api_key_issue(name=options["name"], node=node)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(issued.key)
        where = f"{node.name} {node.code}" if node else "all jurisdictions"
        self.stderr.write(
            f"Open311 API key '{issued.record.name}' for {where}; "
            "it is shown only this once (密钥只显示这一次)."
        )
