"""update_row saves the named fields of one row as save(update_fields=…) would (auto_now moves,
foreign keys by id, JSON and empty values as the ORM writes them, nothing else touched), with
its SQL written once, and refuses a row that is not there."""

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from shouwang.core.db_update import _statement, update_row
from shouwang.core.models import JurisdictionNode, Unit
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def test_the_named_fields_are_saved_and_no_others(city: City) -> None:
    node = JurisdictionNode.objects.get(pk=city.a.node.pk)
    node.name, node.kind = "改名后的镇", "street"
    node.boundary = {"type": "Polygon", "coordinates": [[[120, 29], [120.1, 29], [120, 29.1]]]}
    update_row(node, ("name", "boundary", "updated_at"))
    stored = JurisdictionNode.objects.get(pk=node.pk)
    assert (stored.name, stored.boundary) == ("改名后的镇", node.boundary)
    assert stored.kind == city.a.node.kind  # not named, not saved
    assert stored.updated_at > city.a.node.updated_at  # auto_now moved, as save() moves it


def test_foreign_keys_and_empty_values_round_trip(city: City) -> None:
    unit, other = Unit.objects.order_by("pk")[:2]
    unit.parent, unit.lat = other, None
    update_row(unit, ("parent", "lat"))
    stored = Unit.objects.get(pk=unit.pk)
    assert stored.parent_id == other.pk and stored.lat is None
    unit.parent = None
    update_row(unit, ("parent",))
    assert Unit.objects.get(pk=unit.pk).parent_id is None


def test_the_statement_is_kept(city: City) -> None:
    unit = Unit.objects.first()
    assert unit is not None
    update_row(unit, ("name",))
    hits = _statement.cache_info().hits
    with CaptureQueriesContext(connection) as queries:
        update_row(unit, ("name",))
    assert _statement.cache_info().hits == hits + 1
    [sql] = [q["sql"] for q in queries.captured_queries]
    assert sql.startswith("UPDATE") and "WHERE" in sql


def test_a_row_that_is_not_there_is_an_error(city: City) -> None:
    ghost = Unit.objects.first()
    assert ghost is not None
    ghost.pk = 10**9
    with pytest.raises(DatabaseError):
        update_row(ghost, ("name",))
    assert not Unit.objects.filter(pk=10**9).exists()
