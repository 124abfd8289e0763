"""The case category the housing app opens for arrivals not registered in time (issue #20):
non-police, not offered to the public. Leaves an existing row alone."""

from django.db import migrations


def install(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    parent = Category.objects.filter(code="safety_hazard").first()
    Category.objects.get_or_create(
        code="rental_registration_overdue",
        defaults={
            "name": "出租房租客逾期未登记",
            "name_en": "Rental tenant not registered in time",
            "parent": parent,
            "is_police": False,
            "is_public": False,
            "default_priority": 4,
            "keywords": "出租房 租客 登记 逾期 流动人口",
            "pinyin_initials": "czfzkyqwdj",
            "sort": 1000,
        },
    )


def remove(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Category.objects.filter(code="rental_registration_overdue", cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("housing", "0001_initial"), ("cases", "0002_default_categories")]
    operations = [migrations.RunPython(install, remove)]
