"""SQLite: a maintenance window for purging audit entries younger than the retention period.

The application never writes `core_audit_purge_window`; the retention trigger lets a DELETE
through only while it holds a row. It exists because SQLite empties tables with DELETE (where
PostgreSQL uses TRUNCATE, which row triggers don't see), so whole-database maintenance — and the
test suite's flush between browser tests — needs a deliberate, visible way past the trigger.
Anyone able to write this table could drop the trigger as well; the trigger guards against
application mistakes, not against the database owner."""

from django.db import migrations

SQLITE_UP = [
    "CREATE TABLE core_audit_purge_window (opened_by TEXT NOT NULL)",
    "DROP TRIGGER IF EXISTS core_auditentry_no_early_delete",
    """CREATE TRIGGER core_auditentry_no_early_delete BEFORE DELETE ON core_auditentry
       WHEN julianday(OLD.at) > julianday('now') - 183
            AND NOT EXISTS (SELECT 1 FROM core_audit_purge_window)
       BEGIN SELECT RAISE(ABORT, 'audit entries are kept at least 183 days'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_early_delete",
    """CREATE TRIGGER core_auditentry_no_early_delete BEFORE DELETE ON core_auditentry
       WHEN julianday(OLD.at) > julianday('now') - 183
       BEGIN SELECT RAISE(ABORT, 'audit entries are kept at least 183 days'); END;""",
    "DROP TABLE core_audit_purge_window",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_alter_auditentry_action")]
    operations = [migrations.RunPython(install, remove)]
