"""An alarm notice's acknowledgement and reminder count are records, not editable fields: once
acknowledged, who acknowledged it, when and how cannot be changed or cleared, and the reminder
count never goes down. Refused by the database itself, on every backend. (A full event table
for reminders and acknowledgements is the next step; this closes the overwrite.)"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION devices_contactnotice_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.acked_at IS NOT NULL AND (
        NEW.acked_at IS DISTINCT FROM OLD.acked_at
        OR NEW.acked_by_id IS DISTINCT FROM OLD.acked_by_id AND NEW.acked_by_id IS NOT NULL
        OR NEW.ack_via IS DISTINCT FROM OLD.ack_via
    ) THEN
        RAISE EXCEPTION 'an alarm acknowledgement cannot be changed';
    END IF;
    IF NEW.reminders < OLD.reminders THEN
        RAISE EXCEPTION 'alarm reminders cannot be taken back';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER devices_contactnotice_ack_guard BEFORE UPDATE ON devices_contactnotice
    FOR EACH ROW EXECUTE FUNCTION devices_contactnotice_guard();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS devices_contactnotice_ack_guard ON devices_contactnotice;
DROP FUNCTION IF EXISTS devices_contactnotice_guard();
"""
SQLITE_UP = [
    """CREATE TRIGGER devices_contactnotice_ack_guard BEFORE UPDATE ON devices_contactnotice
       WHEN OLD.acked_at IS NOT NULL AND (
            NEW.acked_at IS NOT OLD.acked_at
            OR (NEW.acked_by_id IS NOT OLD.acked_by_id AND NEW.acked_by_id IS NOT NULL)
            OR NEW.ack_via IS NOT OLD.ack_via)
       BEGIN SELECT RAISE(ABORT, 'an alarm acknowledgement cannot be changed'); END;""",
    """CREATE TRIGGER devices_contactnotice_reminders_guard BEFORE UPDATE ON devices_contactnotice
       WHEN NEW.reminders < OLD.reminders
       BEGIN SELECT RAISE(ABORT, 'alarm reminders cannot be taken back'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS devices_contactnotice_ack_guard;",
    "DROP TRIGGER IF EXISTS devices_contactnotice_reminders_guard;",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP}.get(vendor, []):
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("devices", "0002_device_fewer_indexes")]
    operations = [migrations.RunPython(install, remove)]
