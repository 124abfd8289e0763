"""The raw database holds no tenant's ID number, passport number, phone or name in clear: every
text column of the housing tables, and for SQLite the whole database file, is read for them."""

from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "欧阳娜娜"
PHONE = "13912345678"
PASSPORT = "E98765432"


def _register(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    today = timezone.localdate().isoformat()
    cn = {"room": rental.rooms[0].pk, "name": NAME, "id_number": id_number(77), "phone": PHONE}
    assert api.post("/api/v1/housing/tenancies", {**cn, "moved_in": today}).status_code == 201
    foreign = {
        "room": rental.rooms[2].pk,
        "name": "John Smith",
        "nationality": "GBR",
        "passport_number": PASSPORT,
        "phone": "13912345679",
        "moved_in": today,
    }
    assert api.post("/api/v1/housing/tenancies", foreign).status_code == 201


def _all_housing_text() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_app_config("housing").get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            columns = [f.column for f in model._meta.concrete_fields]
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def test_no_tenant_identity_is_stored_in_clear(flushable_db: None, city: object) -> None:
    from shouwang.housing.tests.conftest import rental_house

    rental = rental_house(city.a, "RH-A-77", serial="DOOR-A-77")  # type: ignore[attr-defined]
    _register(rental)
    text = _all_housing_text()
    assert text  # the tables were read
    for secret in (id_number(77), PASSPORT, PHONE, NAME, "John Smith"):
        assert secret not in text
    # The audit log and the rest of the database neither: read the SQLite file itself.
    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        assert path.exists()
        files = [path, *[Path(f"{path}{suffix}") for suffix in ("-wal", "-journal")]]
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        assert rental.premises.name.encode() in raw  # the file really holds the data
        for secret in (id_number(77), PASSPORT, PHONE):
            assert secret.encode() not in raw
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', "
                "'jsonb')"
            )
            columns = cursor.fetchall()
            for table, column in columns:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE %s',  # noqa: S608
                    [f"%{id_number(77)}%"],
                )
                assert cursor.fetchone()[0] == 0, (table, column)
