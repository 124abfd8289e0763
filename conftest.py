"""Fixtures for every test suite."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from shouwang.core.geo import locate
from shouwang.testing.city import City, build_city


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Production hashing costs ~0.3 s a password by design; tests create dozens of people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_process_state() -> Iterator[None]:
    """Each test starts with an empty cache (lockout counters, boundary version) and no
    in-process grid index, as a freshly started process would."""
    cache.clear()
    locate._index = None
    yield
    locate._index = None


@pytest.fixture
def city(db: None) -> City:
    return build_city()
