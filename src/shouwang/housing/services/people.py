"""Tenants' identities: found by the keyed hash of their ID number (or nationality and passport
number for foreigners), created on first registration, never stored in clear."""

from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import InvalidInput
from shouwang.core.services.pii import pii_assign, pii_lookup_hash
from shouwang.housing.models import Person

CHINA = "CHN"


def person_identify(
    *, id_number: str = "", nationality: str = CHINA, passport_number: str = ""
) -> Person | None:
    """The known person with this ID number (or passport), or None. Raises InvalidInput (422)
    for an ID number failing GB 11643 (format, region, birth date or check digit)."""
    nationality = (nationality or CHINA).strip().upper()
    if nationality == CHINA or id_number.strip():
        if not id_number.strip():
            raise InvalidInput(_("请填写身份证号。"), extra={"field": "id_number"})
        digest = pii_lookup_hash(field="id_number", value=id_number)
        return Person.objects.filter(id_number_hash=digest).first()
    if not passport_number.strip():
        raise InvalidInput(_("外籍人员请填写护照号。"), extra={"field": "passport_number"})
    digest = pii_lookup_hash(field="passport_number", value=passport_number)
    return Person.objects.filter(nationality=nationality, passport_number_hash=digest).first()


def person_upsert(
    *,
    name: str,
    phone: str,
    id_number: str = "",
    nationality: str = CHINA,
    passport_number: str = "",
) -> Person:
    """The person, created or with name and phone brought up to date. The caller holds the
    transaction."""
    if not name.strip():
        raise InvalidInput(_("请填写姓名。"), extra={"field": "name"})
    person = person_identify(
        id_number=id_number, nationality=nationality, passport_number=passport_number
    )
    created = person is None
    if person is None:
        person = Person(nationality=(nationality or CHINA).strip().upper())
        pii_assign(person, field="id_number", value=id_number)
        pii_assign(person, field="passport_number", value=passport_number)
    pii_assign(person, field="full_name", value=name)
    pii_assign(person, field="phone", value=phone)
    if created:
        person.save()
    else:
        person.save(
            update_fields=[
                f"{field}_{part}"
                for field in ("full_name", "phone")
                for part in ("cipher", "hash", "masked")
            ]
        )
    return person
