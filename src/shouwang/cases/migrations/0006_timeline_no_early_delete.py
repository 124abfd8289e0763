"""The case timeline is kept like the audit log: DELETE of an event younger than the retention
period (183 days) is refused by the database itself, as UPDATE always is (0003). On SQLite the
audit log's maintenance window (core 0004, core_audit_purge_window) also opens this one, for
whole-database maintenance and the test suite's flush; PostgreSQL empties tables with TRUNCATE,
which row triggers don't see."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION cases_timelineevent_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'case timeline events are append-only';
    END IF;
    IF OLD.at > now() - interval '183 days' THEN
        RAISE EXCEPTION 'case timeline events are kept at least 183 days';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_timelineevent_no_early_delete BEFORE DELETE ON cases_timelineevent
    FOR EACH ROW EXECUTE FUNCTION cases_timelineevent_guard();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS cases_timelineevent_no_early_delete ON cases_timelineevent;
CREATE OR REPLACE FUNCTION cases_timelineevent_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case timeline events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_UP = """CREATE TRIGGER cases_timelineevent_no_early_delete
    BEFORE DELETE ON cases_timelineevent
    WHEN julianday(OLD.at) > julianday('now') - 183
         AND NOT EXISTS (SELECT 1 FROM core_audit_purge_window)
    BEGIN SELECT RAISE(ABORT, 'case timeline events are kept at least 183 days'); END;"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS cases_timelineevent_no_early_delete;"


def install(apps, schema_editor):
    sql = {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    sql = {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_feeder_steps"), ("core", "0004_audit_purge_window")]
    operations = [migrations.RunPython(install, remove)]
