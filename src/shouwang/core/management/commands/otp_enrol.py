"""shouwang otp-enrol USERNAME: gives the person a new TOTP device (replacing any other) and ten
recovery codes. The last line printed is the otpauth:// URI, for an authenticator app."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.models import User
from shouwang.core.services.second_factor import qr_terminal, second_factor_enrol


class Command(BaseCommand):
    help = (
        "Enrol a person's second factor (TOTP): prints ten recovery codes, a QR code and, last, "
        "the otpauth:// URI (绑定双因素认证)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--no-qr", action="store_true", help="do not draw the QR code")

    def handle(self, *args: Any, **options: Any) -> None:
        person = User.objects.filter(username=options["username"]).first()
        if person is None:
            raise CommandError(f"没有此人 / no person named {options['username']}")
        enrolment = second_factor_enrol(user=person, actor=None)
        self.stdout.write("备用码（只显示这一次，每个只能用一次）/ recovery codes, shown once:")
        for code in enrolment.recovery_codes:
            self.stdout.write(f"  {code}")
        if not options["no_qr"]:
            self.stdout.write(qr_terminal(enrolment.uri))
        self.stdout.write("用认证器扫描上方二维码，或导入下面的地址 / scan the QR code or import:")
        self.stdout.write(enrolment.uri)
