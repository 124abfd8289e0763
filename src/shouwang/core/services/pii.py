"""Personal data at rest: validated, encrypted with AES-GCM under a key id (for rotation),
indexed by a keyed hash for exact lookup, masked for display. Revealing the clear value needs
the `core.reveal_pii` permission and always leaves an audit record, granted or not."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.models import AuditAction, AuditResult, User
from shouwang.core.pii.crypto import KeyRing
from shouwang.core.pii.idnumber import InvalidIdNumber, validate_id_number
from shouwang.core.pii.masking import mask_generic, mask_id_number, mask_name, mask_phone
from shouwang.core.pii.phone import InvalidPhone, validate_phone
from shouwang.core.roles import REVEAL_PII
from shouwang.core.services.audit import audit_record


@dataclass(frozen=True)
class PiiKind:
    normalise: Callable[[str], str]
    mask: Callable[[str], str]


# A model opts in by naming its protected fields in `pii_fields`; each field `f` is stored in the
# columns `f_cipher`, `f_hash` and `f_masked`. Field names double as the kind.
PII_KINDS: dict[str, PiiKind] = {
    "phone": PiiKind(validate_phone, mask_phone),
    "caller_phone": PiiKind(validate_phone, mask_phone),
    "reporter_phone": PiiKind(validate_phone, mask_phone),
    "id_number": PiiKind(validate_id_number, mask_id_number),
    # A party's name in a mediation file (a person's or a company's): kept like a phone number,
    # since the file ties it to a dispute.
    "name": PiiKind(str.strip, mask_name),
    # Housing's tenants (issue #20): a name and a foreigner's passport number are as personal.
    "full_name": PiiKind(lambda v: " ".join(v.split()), mask_name),
    "passport_number": PiiKind(lambda v: "".join(v.split()).upper(), mask_generic),
    # A name is kept as typed (trimmed), shown as its first character and stars (张*).
    "reporter_name": PiiKind(str.strip, mask_name),
}

ID_NUMBER_MESSAGES = {
    "format": _("身份证号应为18位：17位数字加1位数字或X。"),
    "region": _("身份证号的地区码不存在。"),
    "birth_date": _("身份证号中的出生日期无效。"),
    "check_digit": _("身份证号校验码不正确。"),
}


@lru_cache(maxsize=4)
def _keyring(keys: str, active: str, hash_key: str) -> KeyRing:
    return KeyRing.from_config(keys, active, hash_key)


def keyring() -> KeyRing:
    return _keyring(settings.PII_KEYS, settings.PII_ACTIVE_KEY, settings.PII_HASH_KEY)


def _aad(instance: models.Model, field: str) -> bytes:
    # Binds a ciphertext to its column: a value copied into another row's field won't decrypt.
    return f"{instance._meta.label}.{field}".encode()


def pii_normalise(*, field: str, value: str) -> str:
    try:
        return PII_KINDS[field].normalise(value)
    except InvalidIdNumber as exc:
        raise InvalidInput(ID_NUMBER_MESSAGES[exc.code], extra={"field": field}) from exc
    except InvalidPhone as exc:
        raise InvalidInput(
            _("电话号码格式不正确：请填写手机号、带区号的固定电话或国际号码（+开头）。"),
            extra={"field": field},
        ) from exc


def pii_assign(instance: models.Model, *, field: str, value: str) -> None:
    """Sets the three columns of `field` on an unsaved change; an empty value clears them.
    Raises InvalidInput for a value that does not validate. The caller saves."""
    if not value.strip():
        cipher = digest = masked = ""
    else:
        clean = pii_normalise(field=field, value=value)
        ring = keyring()
        cipher = ring.encrypt(clean, aad=_aad(instance, field))
        digest = ring.blind_index(clean, purpose=field)
        masked = PII_KINDS[field].mask(clean)
    setattr(instance, f"{field}_cipher", cipher)
    setattr(instance, f"{field}_hash", digest)
    setattr(instance, f"{field}_masked", masked)


def pii_lookup_hash(*, field: str, value: str) -> str:
    """The keyed hash to filter `<field>_hash` by, for an exact match without decrypting."""
    return keyring().blind_index(pii_normalise(field=field, value=value), purpose=field)


def pii_reveal(
    *, actor: User, instance: models.Model, field: str, request: HttpRequest | None = None
) -> str:
    """The clear value. The caller must have fetched `instance` through a scoped selector."""
    if field not in pii_fields_of(instance):
        raise InvalidInput(_("该字段不是个人信息字段。"), extra={"field": field})
    allowed = actor.has_perm(REVEAL_PII)
    audit_record(
        action=AuditAction.PII_REVEALED,
        result=AuditResult.SUCCESS if allowed else AuditResult.DENIED,
        actor=actor,
        request=request,
        target=instance,
        detail={"field": field},
    )
    if not allowed:
        raise PermissionDeniedError(_("您没有查看完整个人信息的权限。"))
    cipher = getattr(instance, f"{field}_cipher")
    return keyring().decrypt(cipher, aad=_aad(instance, field)) if cipher else ""


def pii_fields_of(model: type[models.Model] | models.Model) -> tuple[str, ...]:
    return tuple(getattr(model, "pii_fields", ()))


def _pii_models() -> Iterator[type[models.Model]]:
    for model in apps.get_models():
        if pii_fields_of(model):
            yield model


def pii_rotate_keys(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypts every protected value not under the active key. Safe to re-run: rows already
    rotated are skipped, so an interrupted run resumes. Returns counts per model label."""
    ring, counts = keyring(), {}
    for model in _pii_models():
        counts[model._meta.label] = sum(
            _rotate_model_field(model, field, ring, batch_size) for field in pii_fields_of(model)
        )
    audit_record(
        action=AuditAction.PII_KEYS_ROTATED,
        actor_username="system",
        detail={"active_key": ring.active_key_id, "rotated": counts},
    )
    return counts


def _rotate_model_field(model: type[models.Model], field: str, ring: KeyRing, size: int) -> int:
    column = f"{field}_cipher"
    current = f"v1.{ring.active_key_id}."
    stale = model._default_manager.exclude(**{column: ""}).exclude(
        **{f"{column}__startswith": current}
    )
    rotated = 0
    while True:
        with transaction.atomic():
            rows = list(stale.select_for_update().order_by("pk")[:size])
            for row in rows:
                aad = _aad(row, field)
                setattr(row, column, ring.reencrypt(getattr(row, column), aad=aad))
                row.save(update_fields=[column])
        rotated += len(rows)
        if len(rows) < size:
            return rotated
