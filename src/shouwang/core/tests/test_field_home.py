"""A responder signs in and lands on the phone task list (/m/), not on the general home page;
other roles keep theirs, and an explicit `next` still wins (issue 15, "Smaller things seen")."""

import pytest
from django.test import Client
from django.urls import reverse

from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.django_db


def sign_in(username: str, **query: str):
    url = reverse("login") + ("?next=" + query["next"] if "next" in query else "")
    return Client().post(url, {"username": username, "password": PASSWORD})


@pytest.mark.parametrize("role", ["responder", "first_responder"])
def test_a_field_worker_lands_on_the_task_list(city: City, role: str) -> None:
    response = sign_in(city.a.people[role].username)

    assert response.status_code == 302
    assert response["Location"] == reverse("field-tasks")


def test_a_dispatcher_lands_on_the_home_page(city: City) -> None:
    response = sign_in(city.a.people["dispatcher"].username)

    assert response["Location"] == reverse("home")


def test_an_explicit_next_still_wins_for_a_responder(city: City) -> None:
    response = sign_in(city.a.people["responder"].username, next="/kpi/")

    assert response["Location"] == "/kpi/"
