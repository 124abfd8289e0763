"""Reads of cases take a fixed number of queries however many cases, assignments and timeline
steps there are (no N+1)."""

import pytest

from shouwang.cases.selectors.cases import case_get, cases_list
from shouwang.cases.tests.factories import Loop, closed, dispatched, make_case
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def test_the_list_takes_the_same_queries_for_three_cases_as_for_one(
    loop: Loop, django_assert_num_queries
) -> None:
    user = loop.person("dispatcher")
    make_case(loop)
    with django_assert_num_queries(1) as one:
        list(cases_list(user=user))
    dispatched(loop)
    closed(loop)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(list(cases_list(user=user))) == 3


def test_a_case_detail_takes_a_fixed_number_of_queries(
    loop: Loop, django_assert_max_num_queries
) -> None:
    case = closed(loop)
    with django_assert_max_num_queries(6):  # the case, then timeline, assignments, photos,
        case_get(user=loop.person("leader"), case_id=case.pk)  # callbacks prefetched


def test_the_list_endpoint_pages(loop: Loop) -> None:
    for _ in range(3):
        make_case(loop)
    client = ApiClient(loop.person("dispatcher").username)
    body = client.get("/api/v1/cases", page=1).json()
    assert body["count"] == 3 and len(body["items"]) == 3


def test_a_reconnecting_room_client_gets_what_it_missed(loop: Loop) -> None:
    from shouwang.cases.selectors.cases import case_room_allowed, timeline_since
    from shouwang.core.errors import NotFound

    case = dispatched(loop)
    responder = loop.person("responder")
    first = timeline_since(user=responder, case_id=case.pk)
    assert [e.kind for e in first] == ["received", "dispatched", "room_opened"]
    assert timeline_since(user=responder, case_id=case.pk, after_id=first[-1].pk) == []
    assert not case_room_allowed(user=loop.person("responder", "b"), case_id=case.pk)
    with pytest.raises(NotFound):
        timeline_since(user=loop.person("responder", "b"), case_id=case.pk)
