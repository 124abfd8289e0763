"""Backing up and restoring the whole database, online, with each engine's own tools.

- SQLite: the online backup API (sqlite3.Connection.backup), a consistent copy page by page
  while the server keeps running; restored the same way into the target file.
- PostgreSQL: pg_dump in its custom format (compressed, one consistent snapshot, taken while
  the server runs); restored with pg_restore into an empty database (--clean drops what is
  there first, --no-owner so another role may restore it).

Encrypted personal data stays encrypted in the backup: the keys (SHOUWANG_PII_KEYS) are not in
the database and must be kept, separately, to read it after a restore."""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dj_database_url
from django.db import connection

from shouwang.core.errors import InvalidInput


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    size: int


def _engine(settings_dict: dict[str, Any]) -> str:
    engine = str(settings_dict["ENGINE"])
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise InvalidInput(f"unsupported database engine {engine}")


def _pg_url(settings_dict: dict[str, Any]) -> str:
    """The connection URL without the password (that goes in PGPASSWORD, out of `ps`)."""
    user = quote(str(settings_dict.get("USER") or ""))
    credentials = f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgresql://{credentials}{host}:{port}/{quote(str(settings_dict['NAME']))}"


def database_backup(*, path: Path) -> BackupResult:
    """A consistent copy of the database in use, taken while it serves."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    settings_dict = connection.settings_dict
    engine = _engine(settings_dict)
    if engine == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        command = ["pg_dump", "--format=custom", "--file", str(path), _pg_url(settings_dict)]
        _run(command, password=settings_dict.get("PASSWORD"))
    return BackupResult(path=path, engine=engine, size=path.stat().st_size)


def database_restore(*, path: Path, target_url: str | None = None) -> str:
    """Restores a backup into the configured database, or into `target_url` (a database URL
    of the same engine). The target should be empty, or at least not in use: its contents are
    replaced. Returns the engine name."""
    if not path.exists():
        raise InvalidInput(f"no backup at {path}")
    settings_dict: dict[str, Any] = (
        dict(dj_database_url.parse(target_url)) if target_url else dict(connection.settings_dict)
    )
    engine = _engine(settings_dict)
    if engine == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if target_url is None:
                connection.ensure_connection()
                source.backup(connection.connection)
            else:
                target = sqlite3.connect(str(settings_dict["NAME"]))
                try:
                    source.backup(target)
                finally:
                    target.close()
        finally:
            source.close()
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                _pg_url(settings_dict),
                str(path),
            ],
            password=settings_dict.get("PASSWORD"),
        )
    return engine


def _run(command: list[str], *, password: str | None) -> None:
    if shutil.which(command[0]) is None:
        raise InvalidInput(f"{command[0]} is not installed (PostgreSQL client tools)")
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    result = subprocess.run(  # noqa: S603  (a fixed tool, arguments of our own)
        command, capture_output=True, text=True, check=False, env=env
    )
    if result.returncode != 0:
        raise InvalidInput(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")
