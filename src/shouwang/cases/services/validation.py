"""Model validation in services: Django's ValidationError becomes the API's InvalidInput (422)."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models

from shouwang.core.errors import InvalidInput


def full_clean_or_invalid(instance: models.Model, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise InvalidInput(" ".join(exc.messages), extra={"fields": fields}) from exc
