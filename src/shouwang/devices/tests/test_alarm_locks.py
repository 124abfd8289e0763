"""Alarms at different premises never wait for each other: each locks its own premises (the
alarms of one premises are one incident), and nothing shared by a whole grid."""

import threading

import pytest
from django.db import connection, transaction

from shouwang.devices.services.incidents import _lock_premises
from shouwang.devices.tests.factories import building
from shouwang.testing.city import build_city
from shouwang.testing.services import need_postgresql


@pytest.mark.django_db(transaction=True)
def test_two_premises_of_one_grid_are_locked_independently() -> None:
    need_postgresql()
    city = build_city()
    first = building(city.a, code="P-001", detectors=0).premises
    second = building(city.a, code="P-002", detectors=0).premises
    assert first.node_id == second.node_id
    locked, release = threading.Event(), threading.Event()

    def first_alarm() -> None:
        try:
            with transaction.atomic():
                _lock_premises(first.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=first_alarm)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Locking the grid's row too (a join's rows are locked unless `of` says not)
                # made this wait for the other alarm's whole transaction.
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            assert _lock_premises(second.pk).pk == second.pk
    finally:
        release.set()
        holder.join(10)
