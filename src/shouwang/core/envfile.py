"""Writes a `.env` with fresh random secrets for a local install, so no secret ever lives in
code: each machine gets its own. Existing values are kept, so running it twice changes nothing."""

import argparse
import secrets
from pathlib import Path

from shouwang.core.pii.crypto import generate_key


def fresh_values() -> dict[str, str]:
    key_id = "k1"
    return {
        "SHOUWANG_DEBUG": "1",
        "SHOUWANG_SECRET_KEY": secrets.token_urlsafe(50),
        "SHOUWANG_PII_KEYS": f"{key_id}:{generate_key()}",
        "SHOUWANG_PII_ACTIVE_KEY": key_id,
        "SHOUWANG_PII_HASH_KEY": generate_key(),
        "SHOUWANG_DEMO_PASSWORD": f"Sw-{secrets.token_urlsafe(9)}-{secrets.randbelow(90) + 10}",
    }


def read_env(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                name, _, value = line.partition("=")
                values[name.strip()] = value.strip()
    return values


def init_env(path: Path) -> list[str]:
    """Adds the missing settings to `path`; returns the names it added."""
    existing = read_env(path)
    missing = {k: v for k, v in fresh_values().items() if k not in existing}
    if missing:
        with path.open("a", encoding="utf-8") as handle:
            if not existing:
                handle.write("# Local settings written by `shouwang init-env`. Never commit.\n")
            for name, value in missing.items():
                handle.write(f"{name}={value}\n")
        path.chmod(0o600)
    return list(missing)


def init_env_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="shouwang init-env", description=__doc__)
    parser.add_argument("--file", default=".env", help="path of the env file (default .env)")
    args = parser.parse_args(argv)
    added = init_env(Path(args.file))
    print(f"{args.file}: added {', '.join(added)}" if added else f"{args.file}: up to date")
