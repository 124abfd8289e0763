"""Makes the case timeline append-only in the database itself (全流程可溯): UPDATE of a timeline
event is refused on every backend. Deleting is left to PROTECT on the case (a case with a
timeline cannot be deleted) rather than a trigger, because the test runner's flush on SQLite
deletes rows one table at a time."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION cases_timelineevent_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case timeline events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_timelineevent_no_update BEFORE UPDATE ON cases_timelineevent
    FOR EACH ROW EXECUTE FUNCTION cases_timelineevent_guard();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS cases_timelineevent_no_update ON cases_timelineevent;
DROP FUNCTION IF EXISTS cases_timelineevent_guard();
"""
SQLITE_UP = """CREATE TRIGGER cases_timelineevent_no_update BEFORE UPDATE ON cases_timelineevent
    BEGIN SELECT RAISE(ABORT, 'case timeline events are append-only'); END;"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS cases_timelineevent_no_update;"


def install(apps, schema_editor):
    sql = {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    sql = {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_default_categories")]
    operations = [migrations.RunPython(install, remove)]
