"""shouwang adduser USERNAME --role ROLE --node CODE --password PASSWORD"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.errors import ApplicationError
from shouwang.core.models import JurisdictionNode, Role, Unit
from shouwang.core.services.people import person_create


class Command(BaseCommand):
    help = "Create a person with a role in a jurisdiction node (新增人员)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--node", required=True, help="jurisdiction code, e.g. 330782001000")
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="", help="full name (姓名)")
        parser.add_argument("--phone", default="", help="mainland mobile number")
        parser.add_argument("--id-number", default="", help="resident ID number")
        parser.add_argument("--unit", default="", help="unit code")

    def handle(self, *args: Any, **options: Any) -> None:
        node = JurisdictionNode.objects.filter(code=options["node"]).first()
        if node is None:
            raise CommandError(f"辖区不存在 / no jurisdiction node with code {options['node']}")
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"单位不存在 / no unit with code {options['unit']}")
        try:
            person = person_create(
                username=options["username"],
                role=Role(options["role"]),
                node=node,
                password=options["password"],
                full_name=options["name"],
                phone=options["phone"],
                id_number=options["id_number"],
                unit=unit,
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} {exc.extra or ''}".strip()) from exc
        self.stdout.write(f"created {person.username} ({person.role}) in {node.name} {node.code}")
