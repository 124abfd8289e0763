"""Yiwu has many landline and foreign callers: any dialable number is accepted, normalised to
E.164 (mainland mobiles keep their 11 digits), masked and found by keyed hash like a mobile."""

import pytest

from shouwang.core.errors import InvalidInput
from shouwang.core.models import User
from shouwang.core.pii.masking import mask_phone
from shouwang.core.pii.phone import InvalidPhone, validate_phone
from shouwang.core.services.pii import pii_assign, pii_lookup_hash, pii_reveal
from shouwang.testing.city import City


@pytest.mark.parametrize(
    ("typed", "stored", "masked"),
    [
        ("0579-85512345", "+8657985512345", "0579****2345"),
        ("(0579) 8551 2345", "+8657985512345", "0579****2345"),
        ("85512345", "+8657985512345", "0579****2345"),  # a bare local number is in Yiwu
        ("021-12345678", "+862112345678", "021****5678"),
        ("400-812-3123", "+864008123123", "400***3123"),
        ("800 820 8820", "+868008208820", "800***8820"),
        ("+971501234567", "+971501234567", "+971*****4567"),
        ("00971 50 123 4567", "+971501234567", "+971*****4567"),
        ("+1 650 253 0000", "+16502530000", "+1******0000"),
        ("+86 138-1234-5678", "13812345678", "138****5678"),
        ("13812345678", "13812345678", "138****5678"),
    ],
)
def test_landline_service_and_international_numbers_are_accepted_and_masked(
    typed: str, stored: str, masked: str
) -> None:
    assert validate_phone(typed) == stored
    assert mask_phone(stored) == masked


@pytest.mark.parametrize(
    "value",
    ["", "110", "12345", "95555", "1234", "12812345678", "0579-123", "+999 123", "not a phone"],
)
def test_short_codes_and_malformed_numbers_are_refused(value: str) -> None:
    with pytest.raises(InvalidPhone):
        validate_phone(value)


@pytest.mark.django_db
def test_a_landline_is_stored_encrypted_masked_and_found_by_any_written_form(city: City) -> None:
    person = city.a.people["volunteer"]
    pii_assign(person, field="phone", value="0579-85512345")
    person.save()

    row = User.objects.filter(pk=person.pk).values("phone_cipher", "phone_masked").get()
    assert "85512345" not in row["phone_cipher"]
    assert row["phone_masked"] == "0579****2345"
    assert User.objects.get(phone_hash=pii_lookup_hash(field="phone", value="85512345")) == person
    leader = city.a.people["leader"]
    assert pii_reveal(actor=leader, instance=person, field="phone") == "+8657985512345"


@pytest.mark.django_db
def test_a_short_code_is_refused_with_a_reason_naming_the_accepted_forms(city: City) -> None:
    with pytest.raises(InvalidInput) as refused:
        pii_assign(city.a.people["volunteer"], field="phone", value="110")
    assert "固定电话" in str(refused.value.message)
