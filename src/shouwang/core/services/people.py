"""Creating people and changing what they may do. Every change of role or permission is audited."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import Conflict, InvalidInput
from shouwang.core.models import AuditAction, JurisdictionNode, Role, Unit, User
from shouwang.core.roles import STAFF_ROLES
from shouwang.core.services.audit import audit_record
from shouwang.core.services.pii import pii_assign


def _apply_role(person: User, role: Role) -> None:
    person.role = role
    person.is_staff = role in STAFF_ROLES
    person.is_superuser = role == Role.ADMIN


@transaction.atomic
def person_create(
    *,
    username: str,
    role: Role,
    node: JurisdictionNode,
    password: str | None = None,
    full_name: str = "",
    phone: str = "",
    id_number: str = "",
    unit: Unit | None = None,
    actor: User | None = None,
    check_password: bool = True,
) -> User:
    """A new person attached to `node`. Without a password the account cannot sign in until one
    is set (bulk imports); with one, it must satisfy the password rules unless `check_password`
    is false (demo data, whose password was generated)."""
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("用户名已存在。"), extra={"field": "username"})
    person = User(username=username, full_name=full_name, node=node, unit=unit)
    _apply_role(person, role)
    pii_assign(person, field="phone", value=phone)
    pii_assign(person, field="id_number", value=id_number)
    _set_password(person, password, check=check_password)
    try:
        person.full_clean()
    except ValidationError as exc:
        raise InvalidInput(extra={"fields": exc.message_dict}) from exc
    person.save()
    audit_record(
        action=AuditAction.PERSON_CREATED,
        actor=actor,
        actor_username="system",
        target=person,
        node_path=node.path,
        detail={"role": str(role)},
    )
    return person


def _set_password(person: User, password: str | None, *, check: bool) -> None:
    if password is None:
        person.set_unusable_password()
        return
    if check:
        try:
            validate_password(password, user=person)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), extra={"field": "password"}) from exc
    person.set_password(password)


@transaction.atomic
def person_change_role(
    *, actor: User | None, person: User, role: Role, request: HttpRequest | None = None
) -> User:
    person = User.objects.select_for_update().get(pk=person.pk)
    before = person.role
    _apply_role(person, role)
    person.save(update_fields=["role", "is_staff", "is_superuser"])
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        actor=actor,
        actor_username="system",
        request=request,
        target=person,
        detail={"from": before, "to": str(role)},
    )
    return person


def person_set_personal_data(
    *, person: User, phone: str | None = None, id_number: str | None = None
) -> None:
    fields: list[str] = []
    for field, value in (("phone", phone), ("id_number", id_number)):
        if value is not None:
            pii_assign(person, field=field, value=value)
            fields += [f"{field}_cipher", f"{field}_hash", f"{field}_masked"]
    if fields:
        person.save(update_fields=fields)
