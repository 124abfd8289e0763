"""Opens and closes SQLite's audit purge window (core migration 0003) for the test flush."""

from django.db import connection


def set_audit_purge_window(*, open_: bool) -> None:
    if connection.vendor != "sqlite":
        return  # PostgreSQL flushes with TRUNCATE, which the row triggers don't see
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_audit_purge_window")
        if open_:
            cursor.execute("INSERT INTO core_audit_purge_window VALUES ('test flush')")
