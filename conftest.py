"""Fixtures for every test suite."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from shouwang.core import refcache
from shouwang.core.geo import locate
from shouwang.testing.city import City, build_city


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Production hashing costs ~0.3 s a password by design; tests create dozens of people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_process_state() -> Iterator[None]:
    """Each test starts with an empty cache (lockout counters, boundary version), no in-process
    grid index and no remembered reference rows, as a freshly started process would: a test's
    rolled-back rows must not be seen by the next."""
    cache.clear()
    locate._index = None
    refcache.forget_local()
    yield
    locate._index = None
    refcache.forget_local()


@pytest.fixture
def city(db: None) -> City:
    return build_city()


@pytest.fixture
def flushable_db(transactional_db: None) -> Iterator[None]:
    """A committed-transactions database whose audit log may be emptied by the flush after the
    test (torn down before transactional_db, so the window is open while it flushes)."""
    from shouwang.testing.audit_window import set_audit_purge_window

    set_audit_purge_window(open_=False)
    yield
    set_audit_purge_window(open_=True)


@pytest.fixture
def live_server_url(flushable_db: None) -> Iterator[str]:
    """A real uvicorn server (HTTP + WebSocket) on the test database, with worker loops."""
    from shouwang.testing.live import running_server

    with running_server() as url:
        yield url


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Chromium for one test. Playwright's sync API runs an event loop in this thread,
    which Django would take for async code and refuse database calls from; for the length of
    the test only, the test's own database calls are allowed."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    from shouwang.testing.browser import CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Django keeps connections per context, and under Playwright's loop the test's own
        # database calls get a context of their own: close what they opened while it is the
        # current one, or PostgreSQL cannot drop the test database at the end of the run.
        connections.close_all()
