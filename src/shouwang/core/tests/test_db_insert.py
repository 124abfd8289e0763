"""insert_rows writes what save() and bulk_create() would: every column (JSON, times set on
insert, nulls, foreign keys), the ids the database made, in order, and nothing where a unique
key is already taken when asked to skip conflicts (and which rows went in, given their key)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from shouwang.core.db_insert import _statement, insert_rows
from shouwang.core.models import AuditAction, AuditEntry, AuditResult, JurisdictionNode

pytestmark = pytest.mark.django_db


def entry(n: int, **extra: object) -> AuditEntry:
    return AuditEntry(
        actor_username=f"user{n}",
        action=AuditAction.choices[0][0],
        result=AuditResult.choices[0][0],
        detail={"n": n, "名称": ["甲", None, 1.5]},
        **extra,
    )


def node(code: str) -> JurisdictionNode:
    return JurisdictionNode(code=code, name="测试", level="city", kind="city", path=f"/{code}/")


def test_rows_read_back_as_saved_and_the_ids_come_back_in_order() -> None:
    rows = [entry(1), entry(2, ip="10.0.0.1"), entry(3)]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(rows)
    assert len(queries) == 1
    assert all(r.pk is not None and not r._state.adding for r in rows)
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)
    for row in rows:
        stored = AuditEntry.objects.get(pk=row.pk)
        assert stored.at == row.at and stored.at is not None  # auto_now_add, set on insert
        assert (stored.actor_username, stored.detail, stored.ip, stored.actor_id) == (
            row.actor_username,
            row.detail,
            row.ip,
            None,
        )


def test_the_statement_is_kept_and_reused() -> None:
    insert_rows([entry(1)])
    hits = _statement.cache_info().hits
    insert_rows([entry(2)])
    insert_rows([entry(3)])
    assert _statement.cache_info().hits == hits + 2
    assert AuditEntry.objects.filter(actor_username__in=["user2", "user3"]).count() == 2


def test_given_ids_are_kept() -> None:
    row = entry(9)
    row.pk = 424242
    insert_rows([row])
    assert AuditEntry.objects.get(pk=424242).actor_username == "user9"


def test_a_taken_unique_key_is_skipped_when_asked_and_refused_otherwise() -> None:
    insert_rows([node("990001")])
    insert_rows([node("990001"), node("990002")], ignore_conflicts=True)
    assert sorted(
        JurisdictionNode.objects.filter(code__startswith="9900").values_list("code", flat=True)
    ) == [
        "990001",
        "990002",
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([node("990001")])


def test_auto_now_is_set_on_insert() -> None:
    row = node("990003")
    insert_rows([row])
    stored = JurisdictionNode.objects.get(code="990003")
    assert stored.created_at is not None and stored.updated_at is not None
    assert stored.created_at == row.created_at


def test_with_a_conflict_key_the_rows_that_went_in_get_their_ids_and_the_others_none() -> None:
    insert_rows([node("990000000001")])
    rows = [node("990000000002"), node("990000000001"), node("990000000003")]
    insert_rows(rows, ignore_conflicts=True, conflict_key="code")
    stored = dict(JurisdictionNode.objects.values_list("code", "pk"))
    assert rows[0].pk == stored["990000000002"] and rows[2].pk == stored["990000000003"]
    assert rows[1].pk is None  # its code was taken: not inserted, not this caller's row
