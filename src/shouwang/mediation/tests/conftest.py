"""Fixtures of the mediation tests: the shared test city with a mediation studio in each town,
staffed by that town's mediator, and helpers that act through the API as people would."""

from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps

from shouwang.core.models import Role, Unit, UnitKind, User
from shouwang.core.services.jurisdiction import unit_create
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

# A point inside town A's first grid and one inside town B (see testing/city.py).
POINT_A = (29.1, 120.05)
POINT_B = (29.1, 120.25)


def taxonomy_ensure() -> None:
    """A transactional test's flush empties the taxonomy migration 0002 installs."""
    if not apps.get_model("cases", "Category").objects.exists():
        import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)


@dataclass
class Mediation:
    city: City
    studio_a: Unit
    studio_b: Unit

    def person(self, role: str, town: str = "a") -> User:
        return getattr(self.city, town).people[role]

    def api(self, role: str, town: str = "a") -> ApiClient:
        return ApiClient(self.person(role, town).username)


def staff_studio(city: City, town: str, code: str, name: str) -> Unit:
    place = getattr(city, town)
    studio = unit_create(code=code, name=name, kind=UnitKind.MEDIATION_STUDIO, node=place.node)
    mediator = place.people[Role.MEDIATOR]
    mediator.unit = studio
    mediator.save(update_fields=["unit"])
    return studio


@pytest.fixture
def mediation(city: City) -> Mediation:
    taxonomy_ensure()
    return Mediation(
        city=city,
        studio_a=staff_studio(city, "a", "MS-001", "义乌商姐调解工作室"),
        studio_b=staff_studio(city, "b", "MS-002", "云溪嫂调解工作室"),
    )


def call(
    api: ApiClient,
    *,
    category: str = "neighbour_dispute",
    description: str = "邻居因漏水问题发生纠纷，要求赔偿",
    point: tuple[float, float] = POINT_A,
    address: str = "稠城街道幸福路1号",
) -> int:
    """A call taken by a dispatcher through the loop's API; the new case's id."""
    response = api.post(
        "/api/v1/cases",
        {
            "category": category,
            "description": description,
            "channel": "110",
            "lat": point[0],
            "lng": point[1],
            "address": address,
        },
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


PARTIES: list[dict[str, Any]] = [
    {"name": "张三丰", "phone": "13900001111", "role": "applicant"},
    {"name": "李四", "phone": "13900002222", "role": "respondent"},
]


def open_file(api: ApiClient, case_id: int, studio: str = "MS-001", amount: str = "5000") -> int:
    response = api.post(
        f"/api/v1/cases/{case_id}/mediation",
        {"studio": studio, "parties": PARTIES, "amount_in_dispute": amount},
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])
