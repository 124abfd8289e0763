"""Call intake at the console: a good call is saved and opened, a bad one comes back with the
reason and everything typed, and likely duplicates are offered and merged with one key."""

import pytest
from django.test import Client
from django.urls import reverse

from shouwang.cases.models import Case, CaseChannel
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import POINT, Loop, make_case
from shouwang.core.models import User

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def call(**overrides: str) -> dict[str, str]:
    lat, lng = POINT["a"]
    return {
        "channel": "110",
        "category": "fight",
        "category_search": "打架斗殴",
        "priority": "",
        "address": "稠城街道工人北路12号",
        "lat": str(lat),
        "lng": str(lng),
        "caller_phone": "13812345678",
        "reporter_name": "王先生",
        "description": "两名男子在商铺门口打架，其中一人头部流血",
        **overrides,
    }


def test_a_call_is_saved_and_opened_with_the_phone_masked(loop: Loop) -> None:
    client = client_for(loop.person("dispatcher"))
    response = client.post(reverse("console-intake"), call())

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console-case", args=[case.pk])
    assert (case.channel, case.category.code, case.state) == ("110", "fight", "received")
    assert case.caller_phone_masked == "138****5678"
    assert "13812345678" not in case.caller_phone_cipher
    page = client.get(response["Location"]).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert f"已登记 {case.number}" in page


def test_the_category_may_be_typed_as_a_unique_search(loop: Loop) -> None:
    response = client_for(loop.person("dispatcher")).post(
        reverse("console-intake"), call(category="", category_search="noise")
    )
    assert response.status_code == 302
    assert Case.objects.get().category.code == "noise"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": "", "category_search": ""}, "category_search", "请选择事件类别"),
        ({"category": "no-such-thing"}, "category_search", "未知的事件类别"),
        ({"description": "  "}, "description", "这个字段是必填项"),
        ({"address": "", "lat": "", "lng": ""}, "address", "请填写地址"),
        ({"lat": "29.1", "lng": ""}, "lat", "经度和纬度须同时填写"),
        ({"lat": "129.1"}, "lat", "小于或等于90"),
        ({"caller_phone": "12345"}, "caller_phone", "电话号码格式不正确"),
    ],
)
def test_bad_input_comes_back_with_the_reason_and_everything_typed(
    loop: Loop, overrides: dict[str, str], field: str, message: str
) -> None:
    posted = call(**overrides)
    response = client_for(loop.person("dispatcher")).post(reverse("console-intake"), posted)

    assert response.status_code == 422
    assert not Case.objects.exists()
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert message in html
    for name in ("address", "reporter_name", "caller_phone"):
        if posted[name]:
            assert f'value="{posted[name]}"' in html, name
    if posted["description"].strip():
        assert posted["description"] in html


def test_a_call_outside_every_grid_is_placed_at_the_dispatchers_node(loop: Loop) -> None:
    """Just outside the city's boundary, within the service area's margin."""
    response = client_for(loop.city.admin).post(
        reverse("console-intake"), call(lat="29.1", lng="119.99")
    )
    assert response.status_code == 302
    assert Case.objects.get().node == loop.city.node


def test_a_call_far_outside_the_service_area_is_refused_beside_the_form(loop: Loop) -> None:
    response = client_for(loop.city.admin).post(
        reverse("console-intake"), call(lat="31.2", lng="121.4")
    )
    assert response.status_code == 422
    assert "不在本平台服务范围内" in response.content.decode()
    assert not Case.objects.exists()


def test_category_picker_finds_by_pinyin_initials(loop: Loop) -> None:
    response = client_for(loop.person("dispatcher")).get(
        reverse("console-categories"), {"category_search": "djdo"}
    )
    assert 'data-code="fight"' in response.content.decode()


def test_duplicates_beside_the_form_name_the_nearby_same_category_call(loop: Loop) -> None:
    earlier = make_case(loop, description="商铺门口两人打架")
    make_case(loop, town="b", description="北苑商铺门口两人打架")
    query = {k: v for k, v in call(caller_phone="").items()}

    response = client_for(loop.person("dispatcher")).get(reverse("console-duplicates"), query)

    html = response.content.decode()
    assert earlier.number in html
    assert f'name="merge_into" value="{earlier.pk}"' in html and "data-merge-best" in html
    assert html.count('class="dupe"') == 1  # the other town's call is not offered


def test_same_caller_is_a_duplicate_even_without_a_place(loop: Loop) -> None:
    earlier = make_case(loop, caller_phone="13812345678")
    query = call(address="不清楚", lat="", lng="")

    response = client_for(loop.person("dispatcher")).get(reverse("console-duplicates"), query)

    assert earlier.number in response.content.decode()
    assert "同一来电号码" in response.content.decode()


def test_saving_as_a_duplicate_records_the_call_and_merges_it(loop: Loop) -> None:
    earlier = make_case(loop)
    response = client_for(loop.person("dispatcher")).post(
        reverse("console-intake"), call(merge_into=str(earlier.pk))
    )

    new = Case.objects.exclude(pk=earlier.pk).get()
    assert (new.state, new.merged_into_id) == (CaseState.MERGED, earlier.pk)
    assert response["Location"] == reverse("console-case", args=[earlier.pk])


def test_merging_into_another_towns_case_is_refused_and_nothing_is_saved(loop: Loop) -> None:
    theirs = make_case(loop, town="b")
    response = client_for(loop.person("dispatcher")).post(
        reverse("console-intake"), call(merge_into=str(theirs.pk))
    )
    assert response.status_code == 422
    assert Case.objects.count() == 1
    assert "目标事件不存在或不在您的辖区内" in response.content.decode()


def test_a_leader_may_not_take_110_calls(loop: Loop) -> None:
    response = client_for(loop.person("leader")).post(reverse("console-intake"), call())
    assert response.status_code == 403
    assert not Case.objects.exists()
    assert "只有指挥中心值班员可以登记110和12345来电" in response.content.decode()


def test_a_leader_may_register_a_walk_in_report(loop: Loop) -> None:
    response = client_for(loop.person("leader")).post(
        reverse("console-intake"), call(channel=CaseChannel.WALK_IN.value)
    )
    assert response.status_code == 302
