"""shouwang seed-demo [--scale small|city] [--seed N]"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.demo.seeding import seed_demo


def demo_password() -> str:
    password = str(settings.SHOUWANG_DEMO_PASSWORD)
    if not password:
        raise CommandError(
            "SHOUWANG_DEMO_PASSWORD 未设置 / is not set: run `shouwang init-env` first"
        )
    return password


class Command(BaseCommand):
    help = "Build the Yiwu-like demo city (演示城市): jurisdictions, units, people, demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "city"], default="small")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        summary = seed_demo(
            scale=options["scale"],
            seed=options["seed"],
            password=demo_password(),
            progress=not options["no_progress"],
        )
        if summary.created:
            self.stdout.write(
                f"demo city built in {time.monotonic() - started:.1f} s: {summary.nodes} "
                f"jurisdiction nodes, {summary.units} units, {summary.people} people"
                + "".join(f", {count} {name}" for name, count in summary.steps.items())
            )
        else:
            self.stdout.write("demo city already present: nothing added (演示城市已存在)")
        print_logins(self, summary.logins)


def print_logins(command: BaseCommand, logins: list[tuple[str, str, str]]) -> None:
    command.stdout.write("\n演示账号 / demo logins (password: SHOUWANG_DEMO_PASSWORD in .env):")
    command.stdout.write(f"  password / 密码: {demo_password()}")
    for username, role, node in logins:
        command.stdout.write(f"  {username:<20} {role} · {node}")
    command.stdout.write(
        "  admin 需要第二重认证：首次登录时扫描页面上的二维码，或运行 shouwang otp-enrol admin\n"
        "  admin signs in with a second factor: scan the QR code shown at the first sign-in, "
        "or run `shouwang otp-enrol admin`"
    )
