"""`shouwang backup` and `shouwang restore` (issue 14, "Retries and recovery"): a city with
cases is backed up while the database serves, restored into an empty database, and the copy
has the same rows, the same timeline of a case, and personal data that still decrypts."""

from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from shouwang.cases import services
from shouwang.cases.models import Case
from shouwang.cases.tests.factories import equip, make_case
from shouwang.core.services.pii import keyring
from shouwang.testing.city import build_city

TABLES = ["core_user", "core_jurisdictionnode", "cases_case", "cases_timelineevent"]


@pytest.fixture
def city_with_cases(flushable_db: None) -> Case:
    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)
    loop = equip(build_city())
    case = make_case(loop, caller_phone="13912345678", reporter_name="王小明")
    services.case_dispatch(
        actor=loop.person("dispatcher"), case=case, people=[loop.person("responder")]
    )
    make_case(loop, town="b")
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A URL of an empty database of the engine in use, and a way to query it."""
    if connection.vendor == "sqlite":
        import sqlite3

        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda sql, *a: sqlite3.connect(path).execute(sql, a).fetchall()
        return
    import psycopg

    settings = connection.settings_dict
    name = f"{settings['NAME']}_restore"
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    base = f"postgresql://{settings['USER']}@{host}:{port}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"

    def query(sql: str, *args: Any) -> list[Any]:
        with psycopg.connect(url) as conn:
            return conn.execute(sql.replace("?", "%s"), args).fetchall()

    try:
        yield url, query
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database_with_everything_readable(
    city_with_cases: Case, empty_database: tuple[str, Any], tmp_path: Path
) -> None:
    url, query = empty_database
    backup = tmp_path / "city.backup"

    call_command("backup", str(backup))
    call_command("restore", str(backup), "--to", url)

    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608  (fixed names)
            assert query(f"SELECT COUNT(*) FROM {table}") == [cursor.fetchone()], table  # noqa: S608
    case = city_with_cases
    timeline = list(case.timeline.order_by("at", "id").values_list("id", "kind", "actor_id"))
    restored = query(
        "SELECT id, kind, actor_id FROM cases_timelineevent WHERE case_id = ? ORDER BY at, id",
        case.pk,
    )
    assert [tuple(row) for row in restored] == timeline
    assert len(timeline) >= 2
    [(phone_cipher, name_cipher)] = query(
        "SELECT caller_phone_cipher, reporter_name_cipher FROM cases_case WHERE id = ?", case.pk
    )
    ring = keyring()
    assert ring.decrypt(phone_cipher, aad=b"cases.Case.caller_phone") == "13912345678"
    assert ring.decrypt(name_cipher, aad=b"cases.Case.reporter_name") == "王小明"


def test_a_missing_backup_is_refused(db: None, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "nothing.backup"), "--to", "sqlite:///x")
