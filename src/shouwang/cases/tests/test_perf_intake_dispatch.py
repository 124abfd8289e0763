"""The cost of the hottest path, intake then dispatch (issue 3, "Benchmark"), pinned as SQL
statement counts rather than times: reference rows and tokens come from process memory, the
dispatch service's lock is the one read of the case, the answer's lists are read only when
there is something in them, and a step's outbox rows go in as one INSERT without a savepoint
each. The counts are for the test city (a grid four levels deep); the screen rows grow with
the lineage, the statements do not."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouwang.cases import services
from shouwang.cases.models import CallbackResult, Case, TimelineKind
from shouwang.cases.selectors.categories import category_by_code
from shouwang.cases.services.step import lock_case
from shouwang.cases.tests.factories import POINT, Loop, closed, make_case
from shouwang.cases.tests.test_attachments import photo
from shouwang.core.models import Unit
from shouwang.core.selectors import node_lineage
from shouwang.notify.groups import case_group, person_group, screen_group
from shouwang.notify.models import OutboxMessage
from shouwang.testing.api import ApiClient
from shouwang.testing.outbox import groups_of

pytestmark = pytest.mark.django_db

LAT, LNG = POINT["a"]
CALL = {
    "category": "fight",
    "lat": LAT,
    "lng": LNG,
    "description": "商城集团门口两人打架",
    "channel": "110",
    "caller_phone": "13912345678",
}


def statements(queries: CaptureQueriesContext, word: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if word in q["sql"].upper()]


def test_intake_is_a_handful_of_statements(loop: Loop, django_assert_max_num_queries) -> None:
    make_case(loop)  # the first intake of a process warms what it may keep
    fight, dispatcher = category_by_code("fight"), loop.person("dispatcher")
    with django_assert_max_num_queries(12) as queries:
        case = services.case_intake(
            actor=dispatcher,
            category=fight,
            description="两名男子在商铺门口打架",
            channel="110",
            lat=LAT,
            lng=LNG,
        ).case
    # One INSERT for all its outbox rows, and no savepoint beyond the service's own.
    assert len(statements(queries, "NOTIFY_OUTBOXMESSAGE")) == 1
    assert len(statements(queries, "SAVEPOINT")) <= 2
    lineage = node_lineage(node=case.node)
    assert len(lineage) == 4  # city, town, village, grid
    screens = {screen_group(n.code) for n in lineage}
    sent = list(
        OutboxMessage.objects.filter(subject_id=str(case.pk)).values_list("recipient", flat=True)
    )
    assert len(sent) == 1  # the screens share one row, whatever the depth
    assert groups_of(sent) == screens


def test_dispatch_is_a_handful_of_statements(loop: Loop, django_assert_max_num_queries) -> None:
    case = make_case(loop)
    responder = loop.person("responder")
    with django_assert_max_num_queries(10) as queries:
        services.case_dispatch(actor=loop.person("dispatcher"), case=case, people=[responder])
    assert len(statements(queries, "NOTIFY_OUTBOXMESSAGE")) == 1
    assert len(statements(queries, "SAVEPOINT")) <= 2
    event = case.timeline.get(kind=TimelineKind.DISPATCHED)
    keys = groups_of(
        OutboxMessage.objects.filter(
            idempotency_key__startswith=f"cases:event:{event.pk}:"
        ).values_list("recipient", flat=True)
    )
    assert person_group(responder.pk) in keys
    assert case_group(case.pk) in keys
    assert screen_group(loop.city.node.code) in keys


def test_a_second_dispatch_still_opens_the_room_once(loop: Loop) -> None:
    case = make_case(loop)
    dispatcher = loop.person("dispatcher")
    services.case_dispatch(actor=dispatcher, case=case, people=[loop.person("responder")])
    services.case_dispatch(actor=dispatcher, case=case, units=[loop.patrol])
    assert case.timeline.filter(kind=TimelineKind.ROOM_OPENED).count() == 1


def _api_pair(client: ApiClient) -> tuple[CaptureQueriesContext, CaptureQueriesContext, Any]:
    with CaptureQueriesContext(connection) as intake:
        created = client.post("/api/v1/cases", CALL)
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    with CaptureQueriesContext(connection) as dispatch:
        answer = client.post(f"/api/v1/cases/{case_id}/dispatch", {"people": ["responder_1"]})
    assert answer.status_code == 200, answer.content
    return intake, dispatch, (created.json(), answer.json())


def test_api_intake_and_dispatch_read_the_case_once(loop: Loop) -> None:
    client = ApiClient(loop.person("dispatcher").username)
    _api_pair(client)  # warm
    intake, dispatch, (created, dispatched) = _api_pair(client)
    # Intake answers from what it created: no read-back of the case at all.
    # (8 here: the warm-up call is a likely duplicate, so its visibility is checked too; +1 for
    # the bearer token, read from the database on every request so a revocation holds at once;
    # +1 for the phone caller's receipt SMS, one INSERT into the outbox.)
    assert len(intake) <= 10, [q["sql"][:80] for q in intake.captured_queries]
    # Dispatch: the service (which locks the case and checks access), then the answer's lists
    # (timeline, assignments, photos, callbacks) without reading the case again.
    assert len(dispatch) <= 11, [q["sql"][:80] for q in dispatch.captured_queries]
    case_reads = statements(dispatch, 'FROM "CASES_CASE"')
    assert len(case_reads) == 1  # the lock
    # The answers are the full detail, as before.
    stored = Case.objects.get(pk=created["id"])
    assert created["number"] == stored.number
    assert [e["kind"] for e in created["timeline"]] == [TimelineKind.RECEIVED]
    assert created["assignments"] == created["attachments"] == created["callbacks"] == []
    assert created["caller_phone_masked"] == "139****5678"
    assert dispatched["state"] == "dispatched"
    assert [e["kind"] for e in dispatched["timeline"]] == [
        TimelineKind.RECEIVED,
        TimelineKind.DISPATCHED,
        TimelineKind.ROOM_OPENED,
    ]
    assert [a["person"] for a in dispatched["assignments"]] == ["responder_1"]


def test_api_intake_answers_what_a_read_back_would(loop: Loop) -> None:
    client = ApiClient(loop.person("dispatcher").username)
    created = client.post("/api/v1/cases", CALL)
    assert created.status_code == 201, created.content
    answer = created.json()
    read_back = client.get(f"/api/v1/cases/{answer['id']}").json()
    assert answer.pop("duplicates") == []
    assert answer == read_back


def test_the_dispatch_answer_reads_photos_and_callbacks_only_when_there_are_some(
    loop: Loop,
) -> None:
    client = ApiClient(loop.person("dispatcher").username)
    _api_pair(client)  # warm
    _, dispatch, (_, dispatched) = _api_pair(client)
    tables = " ".join(q["sql"] for q in dispatch.captured_queries)
    assert 'FROM "cases_attachment"' not in tables and 'FROM "cases_callback"' not in tables
    assert dispatched["attachments"] == dispatched["callbacks"] == []


def test_the_dispatch_answer_lists_a_photo_taken_before_it(loop: Loop, media_root) -> None:
    case = make_case(loop)
    services.attachment_add(actor=loop.person("dispatcher"), case=case, data=photo())
    client = ApiClient(loop.person("dispatcher").username)
    answer = client.post(f"/api/v1/cases/{case.pk}/dispatch", {"people": ["responder_1"]})
    assert answer.status_code == 200, answer.content
    assert len(answer.json()["attachments"]) == 1
    assert answer.json() == client.get(f"/api/v1/cases/{case.pk}").json()


def test_the_dispatch_answer_of_a_reopened_case_lists_its_callback(loop: Loop) -> None:
    case = closed(loop)
    services.callback_record(
        actor=loop.person("leader"), case=case, result=CallbackResult.UNSATISFIED, note="没解决"
    )
    client = ApiClient(loop.person("dispatcher").username)
    answer = client.post(f"/api/v1/cases/{case.pk}/dispatch", {"people": ["responder_1"]})
    assert answer.status_code == 200, answer.content
    assert [c["result"] for c in answer.json()["callbacks"]] == ["unsatisfied"]
    assert answer.json() == client.get(f"/api/v1/cases/{case.pk}").json()


def test_the_lock_reads_the_case_row_alone(loop: Loop, django_assert_num_queries) -> None:
    case = make_case(loop)
    lock_case(case.pk)  # the first lock of a process reads the case's reference rows once
    with django_assert_num_queries(1) as queries:
        locked = lock_case(case.pk)
        names = (locked.category.code, locked.category.parent, locked.node.code)
        unit = locked.responsible_unit
    [sql] = [q["sql"] for q in queries.captured_queries]
    assert " JOIN " not in sql.upper()
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in sql.upper()
    stored = Case.objects.select_related("category__parent", "node", "responsible_unit").get(
        pk=case.pk
    )
    assert names == (stored.category.code, stored.category.parent, stored.node.code)
    assert unit == stored.responsible_unit and unit is not None


def test_a_unit_renamed_reaches_the_next_lock(loop: Loop) -> None:
    case = make_case(loop)
    unit = lock_case(case.pk).responsible_unit
    assert unit is not None
    stored = Unit.objects.get(pk=unit.pk)
    stored.name = "改名后的派出所"
    stored.save()
    assert lock_case(case.pk).responsible_unit.name == "改名后的派出所"


def test_the_dispatch_answer_names_people_it_did_not_have_at_hand(loop: Loop) -> None:
    """The case was reported by someone else and a unit is already on it; the answer still
    names them, equal to a read-back, and reads the lists without joins."""
    case = make_case(loop, actor=loop.person("volunteer"), channel="web")
    dispatcher = ApiClient(loop.person("dispatcher").username)
    first = dispatcher.post(f"/api/v1/cases/{case.pk}/dispatch", {"units": [loop.patrol.code]})
    assert first.status_code == 200, first.content
    with CaptureQueriesContext(connection) as queries:
        answer = dispatcher.post(f"/api/v1/cases/{case.pk}/dispatch", {"people": ["responder_1"]})
    # Read now: the next request empties the connection's query log.
    lists = [q["sql"] for q in queries.captured_queries if 'cases_timelineevent"."id' in q["sql"]]
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body == dispatcher.get(f"/api/v1/cases/{case.pk}").json()
    assert body["timeline"][0]["actor"] == loop.person("volunteer").username
    assert [(a["person"], a["unit"]) for a in body["assignments"]] == [
        (None, loop.patrol.code),
        ("responder_1", None),
    ]
    assert lists and all(" JOIN " not in sql.upper() for sql in lists)


def test_dispatching_a_case_that_does_not_exist_is_not_found(loop: Loop) -> None:
    client = ApiClient(loop.person("dispatcher").username)
    answer = client.post("/api/v1/cases/987654/dispatch", {"people": ["responder_1"]})
    assert answer.status_code == 404
