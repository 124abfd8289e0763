"""Re-encrypts personal data under the active key.

Rotation: generate a key (`shouwang rotate-pii-keys --new-key`), append it to SHOUWANG_PII_KEYS,
point SHOUWANG_PII_ACTIVE_KEY at it, restart, run this command; when it reports nothing left
under old keys, remove them from SHOUWANG_PII_KEYS."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shouwang.core.pii.crypto import generate_key
from shouwang.core.services.pii import keyring, pii_rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt every protected personal-data value under the active key (密钥轮换)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new-key", action="store_true", help="print a fresh key and exit")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(generate_key())
            return
        counts = pii_rotate_keys(batch_size=options["batch_size"])
        total = sum(counts.values())
        self.stdout.write(
            f"active key {keyring().active_key_id}: re-encrypted {total} values "
            + ", ".join(f"{label}={n}" for label, n in counts.items())
        )
