"""Personal data is stored encrypted, shown masked, found by keyed hash, and revealed only with
permission, every reveal (or refusal) leaving an audit record."""

import pytest
from django.core.management import call_command
from django.db import connection

from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.models import AuditAction, AuditEntry, AuditResult, User
from shouwang.core.pii.crypto import generate_key
from shouwang.core.services.pii import pii_assign, pii_lookup_hash, pii_reveal
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db

ID_NUMBER = "330102199001011234"


def test_phone_is_stored_encrypted_and_shown_masked(city: City) -> None:
    person = city.a.people["volunteer"]
    raw = User.objects.filter(pk=person.pk).values("phone_cipher", "phone_masked").get()
    assert "13800000" not in raw["phone_cipher"]
    assert raw["phone_cipher"].startswith("v1.")
    assert raw["phone_masked"] == "138****0103"


def test_plain_phone_appears_nowhere_in_the_database_row(city: City) -> None:
    person = city.a.people["volunteer"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_user WHERE id = %s", [person.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert "13800000103" not in row


def test_invalid_id_number_is_refused_with_the_reason(city: City) -> None:
    person = city.a.people["volunteer"]
    with pytest.raises(InvalidInput) as exc:
        pii_assign(person, field="id_number", value="330102199001011235")
    assert "校验码" in str(exc.value.message)


def test_exact_lookup_by_phone_uses_the_keyed_hash(city: City) -> None:
    digest = pii_lookup_hash(field="phone", value="+86 138-0000-0103")
    assert User.objects.get(phone_hash=digest) == city.a.people["volunteer"]


def test_leader_reveals_a_phone_and_the_reveal_is_audited(city: City) -> None:
    leader, person = city.a.people["leader"], city.a.people["volunteer"]
    assert pii_reveal(actor=leader, instance=person, field="phone") == "13800000103"
    entry = AuditEntry.objects.get(action=AuditAction.PII_REVEALED)
    assert (entry.actor, entry.result, entry.detail) == (
        leader,
        AuditResult.SUCCESS,
        {"field": "phone"},
    )
    assert entry.target_id == str(person.pk)


def test_volunteer_cannot_reveal_and_the_refusal_is_audited(city: City) -> None:
    volunteer, person = city.a.people["volunteer"], city.a.people["inspector"]
    with pytest.raises(PermissionDeniedError):
        pii_reveal(actor=volunteer, instance=person, field="phone")
    entry = AuditEntry.objects.get(action=AuditAction.PII_REVEALED)
    assert entry.result == AuditResult.DENIED


def test_reveal_over_the_api_for_another_town_is_not_found_and_reveals_nothing(city: City) -> None:
    client = ApiClient(city.a.people["leader"].username)
    target = city.b.people["volunteer"].username
    response = client.post(f"/api/v1/people/{target}/reveal", {"field": "phone"})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.PII_REVEALED).exists()


def test_reveal_over_the_api_returns_the_clear_value(city: City) -> None:
    client = ApiClient(city.a.people["leader"].username)
    target = city.a.people["volunteer"].username
    response = client.post(f"/api/v1/people/{target}/reveal", {"field": "phone"})
    assert response.status_code == 200
    assert response.json() == {"field": "phone", "value": "13800000103"}


def test_reveal_of_an_unknown_field_is_refused_as_bad_input(city: City) -> None:
    client = ApiClient(city.a.people["leader"].username)
    target = city.a.people["volunteer"].username
    response = client.post(f"/api/v1/people/{target}/reveal", {"field": "password"})
    assert response.status_code == 422


def test_rotation_moves_every_value_to_the_new_key_and_keeps_it_readable(
    city: City, settings
) -> None:
    person = city.a.people["leader"]
    pii_assign(person, field="id_number", value=ID_NUMBER)
    person.save(update_fields=["id_number_cipher", "id_number_hash", "id_number_masked"])
    settings.PII_KEYS = f"{settings.PII_KEYS},k2:{generate_key()}"
    settings.PII_ACTIVE_KEY = "k2"
    call_command("rotate_pii_keys", verbosity=0)
    person.refresh_from_db()
    assert person.id_number_cipher.startswith("v1.k2.")
    assert (
        not User.objects.exclude(phone_cipher="")
        .exclude(phone_cipher__startswith="v1.k2.")
        .exists()
    )
    assert pii_reveal(actor=city.admin, instance=person, field="id_number") == ID_NUMBER
    assert AuditEntry.objects.filter(action=AuditAction.PII_KEYS_ROTATED).count() == 1


def test_values_under_a_key_that_was_removed_cannot_be_read(city: City, settings) -> None:
    from shouwang.core.pii.crypto import DecryptionError

    settings.PII_KEYS = f"k9:{generate_key()}"
    settings.PII_ACTIVE_KEY = "k9"
    with pytest.raises(DecryptionError):
        pii_reveal(actor=city.admin, instance=city.a.people["leader"], field="phone")
