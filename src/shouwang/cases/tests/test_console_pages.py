"""The console list, its live rows, its map data and the big screen: who may open them and what
each dispatcher sees of their own jurisdiction only."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shouwang.cases import services
from shouwang.cases.models import Case, Step
from shouwang.cases.selectors.console import StepTimer, case_timer
from shouwang.cases.tests.factories import POINT, Loop, dispatched, make_case
from shouwang.core.models import User

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["console", "screen", "console-intake", "console-map"])
@pytest.mark.parametrize("role", ["volunteer", "responder", "inspector"])
def test_people_outside_the_command_room_are_refused(loop: Loop, name: str, role: str) -> None:
    response = client_for(loop.person(role)).get(reverse(name))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["console", "screen", "console-intake"])
def test_signed_out_visitors_are_sent_to_sign_in(name: str, db: None) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_console_lists_own_towns_open_cases_only(loop: Loop) -> None:
    mine = make_case(loop, town="a", description="商铺门口有人打架")
    theirs = make_case(loop, town="b", description="北苑有人打架")
    response = client_for(loop.person("dispatcher")).get(reverse("console"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="case-{mine.pk}"' in html and mine.number in html
    assert f'id="case-{theirs.pk}"' not in html and theirs.number not in html
    assert "新建接警" in html and "<kbd>N</kbd>" in html


def test_console_list_filters_and_searches(loop: Loop) -> None:
    fight = make_case(loop, description="两名男子在商铺门口打架")
    noise = make_case(loop, code="noise", description="夜间装修噪音扰民")
    client = client_for(loop.person("dispatcher"))

    by_category = client.get(reverse("console"), {"category": "noise"}, HTTP_HX_REQUEST="true")
    by_text = client.get(reverse("console"), {"q": "装修"}, HTTP_HX_REQUEST="true")
    finished = client.get(reverse("console"), {"states": "finished"}, HTTP_HX_REQUEST="true")

    assert f'id="case-{noise.pk}"' in by_category.content.decode()
    assert f'id="case-{fight.pk}"' not in by_category.content.decode()
    assert f'id="case-{noise.pk}"' in by_text.content.decode()
    assert f'id="case-{fight.pk}"' not in by_text.content.decode()
    assert "没有符合条件的事件" in finished.content.decode()
    assert "<html" not in by_text.content.decode()  # a partial for htmx


def test_live_rows_return_only_changed_cases_the_list_still_shows(loop: Loop) -> None:
    waiting = make_case(loop)
    cancelled = services.case_cancel(
        actor=loop.person("dispatcher"), case=make_case(loop), reason="误报"
    )
    other_town = make_case(loop, town="b")
    ids = f"{waiting.pk},{cancelled.pk},{other_town.pk}"

    response = client_for(loop.person("dispatcher")).get(
        reverse("console-rows"), {"ids": ids, "states": "open"}
    )

    html = response.content.decode()
    assert f'id="case-{waiting.pk}"' in html
    assert f'id="case-{cancelled.pk}"' not in html  # the page drops its row
    assert f'id="case-{other_town.pk}"' not in html


def test_a_row_carries_the_current_steps_timer(loop: Loop) -> None:
    case = dispatched(loop)
    timer = case_timer(Case.objects.get(pk=case.pk))
    assert timer is not None and timer.step == "accept"
    assert timer.deadline - timer.started_at == timedelta(seconds=180)

    html = client_for(loop.person("dispatcher")).get(reverse("console")).content.decode()
    assert f'data-deadline="{timer.deadline.isoformat()}"' in html
    assert f'data-start="{timer.started_at.isoformat()}"' in html


def test_timer_share_used_passes_one_when_overdue() -> None:
    now = timezone.now()
    timer = StepTimer(step=Step.ARRIVE, started_at=now - timedelta(minutes=6), deadline=now)
    assert timer.fraction(now - timedelta(minutes=1)) == pytest.approx(5 / 6)
    assert timer.fraction(now + timedelta(minutes=1)) > 1


def test_map_data_holds_own_areas_cases_and_fresh_positions(loop: Loop) -> None:
    mine, theirs = make_case(loop, town="a"), make_case(loop, town="b")
    lat, lng = POINT["a"]
    services.responder_position_report(actor=loop.person("responder"), lat=lat, lng=lng)
    services.responder_position_report(actor=loop.person("responder", "b"), lat=29.1, lng=120.25)

    data = client_for(loop.person("dispatcher")).get(reverse("console-map")).json()

    assert data["node"]["code"] == loop.city.a.node.code
    assert [f["properties"]["code"] for f in data["areas"]["features"]] == [
        loop.city.a.village.code
    ]
    assert {f["properties"]["code"] for f in data["grids"]["features"]} == {
        g.code for g in loop.city.a.grids
    }
    assert [c["id"] for c in data["cases"]] == [mine.pk]
    assert theirs.pk not in [c["id"] for c in data["cases"]]
    assert [p["username"] for p in data["responders"]] == ["responder_1"]


def test_big_screen_counts_todays_figures_of_own_jurisdiction(loop: Loop) -> None:
    make_case(loop)
    dispatched(loop)
    make_case(loop, town="b")

    response = client_for(loop.person("leader")).get(reverse("screen"))

    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["today"]["received"] == 2
    assert figures["today"]["dispatched"] == 1
    assert dict((s, n) for s, _label, n in figures["by_state"])["received"] == 1
    assert figures["open_total"] == 2
    assert "指挥大屏" in response.content.decode()


def test_big_screen_panel_is_a_fragment_with_the_newest_cases(loop: Loop) -> None:
    case = make_case(loop)
    html = client_for(loop.person("dispatcher")).get(reverse("screen-panel")).content.decode()
    assert 'id="figures"' in html and f'data-id="{case.pk}"' in html and "<html" not in html


def test_the_list_costs_the_same_queries_for_one_case_or_many(
    loop: Loop, django_assert_max_num_queries: Any
) -> None:
    client = client_for(loop.person("dispatcher"))
    make_case(loop)
    client.get(reverse("console"))  # warm: session, categories' first read
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("console"), HTTP_HX_REQUEST="true")
    for _ in range(5):
        dispatched(loop)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("console"), HTTP_HX_REQUEST="true")


@pytest.mark.parametrize(("language", "shown", "not_shown"), [("en", "Fight or brawl", "打架斗殴")])
def test_an_english_console_names_categories_in_english(
    loop: Loop, language: str, shown: str, not_shown: str
) -> None:
    case = make_case(loop, code="fight")
    client = client_for(loop.person("dispatcher"))
    client.cookies["django_language"] = language
    pages = [
        client.get(reverse("console")),
        client.get(reverse("console-case", args=[case.pk])),
        client.get(reverse("console-categories"), {"category_search": "fight"}),
        client.get(reverse("console-map")),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert shown in html and not_shown not in html


def test_a_chinese_console_names_categories_in_chinese(loop: Loop) -> None:
    case = make_case(loop, code="fight")
    html = client_for(loop.person("dispatcher")).get(reverse("console-case", args=[case.pk]))
    assert "打架斗殴" in html.content.decode()
    assert "Fight or brawl" not in html.content.decode()
