"""`shouwang premises-qr --node CODE --output labels.pdf`: A4 sheets of QR labels for the
premises of a jurisdiction subtree. A premises without a QR token is given one first; a printed
label keeps working until someone issues a new token for it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.models import JurisdictionNode
from shouwang.inspections.documents import qr_labels_pdf
from shouwang.places.models import Premises
from shouwang.places.services import premises_qr_issue


class Command(BaseCommand):
    help = "Prints the QR safety labels of the premises under a jurisdiction node as A4 PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--node", required=True, help="jurisdiction code, e.g. 330782001000")
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="the public address the QR codes point to (the site's HTTPS origin)",
        )
        parser.add_argument("--kind", default="", help="only premises of this kind")

    def handle(self, *args: Any, **options: Any) -> None:
        node = JurisdictionNode.objects.filter(code=options["node"]).first()
        if node is None:
            raise CommandError(f"no jurisdiction node {options['node']}")
        premises = Premises.objects.filter(node__path__startswith=node.path).order_by("code")
        if options["kind"]:
            premises = premises.filter(kind=options["kind"])
        listed = list(premises)
        for place in listed:
            if not place.qr_token:
                premises_qr_issue(premises=place)
        pdf, count = qr_labels_pdf(listed, options["base_url"])
        Path(options["output"]).write_bytes(pdf)
        self.stdout.write(f"{count} labels written to {options['output']}")
