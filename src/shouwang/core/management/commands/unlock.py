"""shouwang unlock USERNAME: releases a sign-in lock on this username from every address."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shouwang.core.services.signin import signin_unlock


class Command(BaseCommand):
    help = "Release the sign-in lock of a username, from every address; audited (解除登录锁定)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        removed = signin_unlock(username=options["username"], actor=None)
        self.stdout.write(
            f"已解除 {options['username']} 的登录锁定 / unlocked "
            f"({removed} address records cleared)"
        )
