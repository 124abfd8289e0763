"""Sign-in failure counting and lockout, kept in the cache (Redis in production) so every web
process sees the same count."""

from django.conf import settings
from django.core.cache import cache


def _failures_key(username: str) -> str:
    return f"signin:failures:{username.strip().lower()}"


def _lock_key(username: str) -> str:
    return f"signin:locked:{username.strip().lower()}"


def signin_is_locked(*, username: str) -> bool:
    return bool(cache.get(_lock_key(username)))


def signin_failure_register(*, username: str) -> bool:
    """Counts one failure; returns True when this failure locks the account."""
    key = _failures_key(username)
    window = settings.LOGIN_LOCKOUT_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        failures = 1
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        cache.set(_lock_key(username), True, timeout=window)
        cache.delete(key)
        return True
    return False


def signin_success_register(*, username: str) -> None:
    cache.delete(_failures_key(username))
