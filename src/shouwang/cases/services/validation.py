"""Model validation in services: Django's ValidationError becomes the API's InvalidInput (422)."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models

from shouwang.core.errors import InvalidInput


def full_clean_or_invalid(
    instance: models.Model,
    *,
    exclude: Sequence[str] = (),
    validate_unique: bool = True,
    validate_constraints: bool = True,
) -> None:
    """`validate_unique` / `validate_constraints` off skip the queries those checks cost (a
    SELECT per unique field, a savepoint and a SELECT per check constraint) where the caller
    has checked the same things itself; the database still enforces them."""
    try:
        instance.full_clean(
            exclude=list(exclude),
            validate_unique=validate_unique,
            validate_constraints=validate_constraints,
        )
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise InvalidInput(" ".join(exc.messages), extra={"fields": fields}) from exc
