"""The checklists and provisions a new installation starts with (inspections/seed.py)."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shouwang.inspections.seed import install as seed_install

    seed_install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
