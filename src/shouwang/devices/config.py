"""The devices app's settings: read from Django settings when defined there, else from the
environment variable of the same name (so a deployment can set them without a settings change),
else the default. Names and defaults are listed in devices/README.md."""

import os

from django.conf import settings


def _raw(name: str) -> object:
    value = getattr(settings, name, None)
    return os.environ.get(name) if value is None else value


def setting_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None or value == "" else str(value)


def setting_int(name: str, default: int) -> int:
    value = _raw(name)
    return default if value is None or value == "" else int(str(value))


def setting_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}
