"""A call from a landline or a foreign phone is taken like any other: the number is stored
normalised and shown masked (issue 15, "Phone numbers")."""

import pytest

from shouwang.cases.models import Case
from shouwang.cases.tests.factories import POINT, Loop
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("0579-85512345", "0579****2345"),
        ("85512345", "0579****2345"),
        ("+971501234567", "+971*****4567"),
    ],
)
def test_a_dispatcher_takes_a_call_from_a_landline_or_a_foreign_phone(
    loop: Loop, typed: str, masked: str
) -> None:
    lat, lng = POINT["a"]
    body = {"category": "fight", "lat": lat, "lng": lng, "description": "打架", "channel": "110"}
    client = ApiClient(loop.person("dispatcher").username)

    response = client.post("/api/v1/cases", {**body, "caller_phone": typed})

    assert response.status_code == 201, response.content
    assert response.json()["caller_phone_masked"] == masked
    assert typed not in str(Case.objects.values().get())
