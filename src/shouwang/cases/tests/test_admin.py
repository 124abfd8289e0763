"""The back office pages of the loop open, and a category saved there gets its pinyin."""

import pytest

from shouwang.cases.models import Category
from shouwang.cases.tests.factories import Loop, closed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/case/",
        "/admin/cases/category/",
        "/admin/cases/routingrule/",
        "/admin/cases/slapolicy/",
        "/admin/cases/category/add/",
        "/admin/cases/slapolicy/add/",
    ],
)
def test_admin_pages_open(loop: Loop, client, url: str) -> None:
    client.force_login(loop.city.admin)
    assert client.get(url).status_code == 200


def test_a_case_opens_read_only_with_its_timeline(loop: Loop, client) -> None:
    case = closed(loop)
    client.force_login(loop.city.admin)
    page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert case.number in page
    assert "结案" in page  # the timeline's last step
    assert "caller_phone_cipher" not in page


def test_a_category_added_in_the_admin_gets_pinyin_initials(loop: Loop, client) -> None:
    client.force_login(loop.city.admin)
    response = client.post(
        "/admin/cases/category/add/",
        {
            "code": "dog_nuisance",
            "name": "犬只扰民",
            "name_en": "Dog nuisance",
            "is_police": "",
            "is_public": "on",
            "default_priority": 4,
            "keywords": "狗 犬",
            "sort": 500,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Category.objects.get(code="dog_nuisance").pinyin_initials == "qzrm"
