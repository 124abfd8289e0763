"""The reporter's name is personal data: stored encrypted, with a keyed hash and a masked copy
(张*) like the caller's phone. Existing names are encrypted in place, then the clear column is
dropped. Going back decrypts them into the clear column again."""

from django.db import migrations, models


def encrypt_names(apps, schema_editor):
    from shouwang.core.services.pii import pii_assign

    Case = apps.get_model("cases", "Case")
    rows = Case.objects.exclude(reporter_name="").only("pk", "reporter_name")
    for case in rows.iterator(chunk_size=500):
        pii_assign(case, field="reporter_name", value=case.reporter_name)
        Case.objects.filter(pk=case.pk).update(
            reporter_name_cipher=case.reporter_name_cipher,
            reporter_name_hash=case.reporter_name_hash,
            reporter_name_masked=case.reporter_name_masked,
        )


def decrypt_names(apps, schema_editor):
    from shouwang.core.services.pii import keyring

    Case = apps.get_model("cases", "Case")
    for case in Case.objects.exclude(reporter_name_cipher="").iterator(chunk_size=500):
        name = keyring().decrypt(case.reporter_name_cipher, aad=b"cases.Case.reporter_name")
        Case.objects.filter(pk=case.pk).update(reporter_name=name)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_timeline_no_early_delete")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="reporter_name_cipher",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="case",
            name="reporter_name_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="case",
            name="reporter_name_masked",
            field=models.CharField(
                blank=True, editable=False, max_length=50, verbose_name="报告人"
            ),
        ),
        migrations.RunPython(encrypt_names, decrypt_names),
        migrations.RemoveField(model_name="case", name="reporter_name"),
    ]
