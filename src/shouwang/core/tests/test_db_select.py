"""rows_where reads plain rows by one column as the ORM would (converted values, in order), with
its SQL written once, and locks them when asked."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shouwang.core.db_select import _statement, rows_in, rows_where
from shouwang.core.models import JurisdictionNode, Unit
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def test_rows_read_back_as_the_orm_reads_them(city: City) -> None:
    town = city.a.node
    expected = list(JurisdictionNode.objects.filter(parent=town).order_by("code"))
    got = rows_where(JurisdictionNode, "parent", town.pk, order_by=("code",))
    assert got == expected
    for ours, theirs in zip(got, expected, strict=True):
        assert ours.__dict__.keys() >= {"boundary", "created_at", "path"}
        assert (ours.boundary, ours.created_at, ours.path) == (
            theirs.boundary,
            theirs.created_at,
            theirs.path,
        )


def test_nothing_found_is_an_empty_list(city: City) -> None:
    assert rows_where(Unit, "code", "NO-SUCH-UNIT") == []


def test_the_statement_is_kept_and_the_lock_asked_for(city: City) -> None:
    rows_where(JurisdictionNode, "code", city.a.node.code, for_update=True)
    hits = _statement.cache_info().hits
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        [node] = rows_where(JurisdictionNode, "code", city.a.node.code, for_update=True)
    assert node.pk == city.a.node.pk
    assert _statement.cache_info().hits == hits + 1
    [sql] = [q["sql"] for q in queries.captured_queries if "SELECT" in q["sql"]]
    assert ("FOR UPDATE" in sql) == connection.features.has_select_for_update


def test_rows_in_reads_each_named_row_once(city: City) -> None:
    units = list(Unit.objects.order_by("code")[:3])
    codes = [u.code for u in units]
    got = rows_in(Unit, "code", [*codes, "NO-SUCH-UNIT"])
    assert sorted(got, key=lambda u: u.code) == units
    assert rows_in(Unit, "code", []) == []
