"""Shared version numbers of the process memories (core/versions.py): every bump moves the
version, however many processes or threads bump at once, and a missing one starts where no
process can have seen it."""

import threading

import pytest
from django.core.cache import cache

from shouwang.core.versions import version_bump, version_get

KEY = "test:versions"


@pytest.fixture(autouse=True)
def clean() -> None:
    cache.delete(KEY)


def test_a_version_never_bumped_reads_zero() -> None:
    assert version_get(KEY) == 0


def test_the_first_bump_starts_at_a_number_no_one_saw_and_each_bump_moves_it_on() -> None:
    first = version_bump(KEY)
    assert first > 10**18  # the clock in nanoseconds, not 1
    assert version_bump(KEY) == first + 1
    assert version_get(KEY) == first + 1


def test_an_evicted_version_starts_again_somewhere_new() -> None:
    seen = version_bump(KEY)
    cache.delete(KEY)
    assert version_bump(KEY) != seen


def test_bumps_at_once_from_many_threads_are_all_counted() -> None:
    start = version_bump(KEY)
    threads = [
        threading.Thread(target=lambda: [version_bump(KEY) for _ in range(50)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert version_get(KEY) == start + 8 * 50
