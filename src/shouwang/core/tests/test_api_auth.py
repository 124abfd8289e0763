"""Token authentication for /api/v1/, the OpenAPI document and the interactive docs."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.core.models import ApiToken, AuditAction, AuditEntry
from shouwang.core.services.tokens import token_authenticate, token_revoke
from shouwang.testing.api import ApiClient
from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_the_right_password_and_opens_the_api(city: City) -> None:
    response = ApiClient().post(
        "/api/v1/auth/token", {"username": "leader_1", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["role"] == "leader"
    people = Client().get("/api/v1/people", headers={"Authorization": f"Bearer {body['token']}"})
    assert people.status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditAction.TOKEN_ISSUED, actor_username="leader_1"
    ).exists()


def test_only_a_digest_of_the_token_is_stored(city: City) -> None:
    client = ApiClient("leader_1")
    token = client.headers["Authorization"].removeprefix("Bearer ")
    stored = ApiToken.objects.get()
    assert token not in (stored.digest, stored.prefix) and len(stored.digest) == 64


def test_wrong_password_gets_401_in_the_common_error_shape(city: City) -> None:
    response = ApiClient().post("/api/v1/auth/token", {"username": "leader_1", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_missing_fields_get_422_with_the_field_named(city: City) -> None:
    response = ApiClient().post("/api/v1/auth/token", {"username": "leader_1"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert any("password" in e["loc"] for e in error["extra"]["errors"])


def test_api_without_credentials_is_refused(db: None) -> None:
    response = Client().get("/api/v1/people")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_expired_token_is_refused(city: City) -> None:
    client = ApiClient("leader_1")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/people").status_code == 401


def test_token_of_a_deactivated_person_is_refused(city: City) -> None:
    client = ApiClient("leader_1")
    city.a.people["leader"].is_active = False
    city.a.people["leader"].save(update_fields=["is_active"])
    assert client.get("/api/v1/people").status_code == 401


def test_error_messages_follow_the_requested_language(db: None) -> None:
    chinese = Client().get("/api/v1/people").json()["error"]["message"]
    english = Client().get("/api/v1/people", headers={"Accept-Language": "en"}).json()
    assert "登录" in chinese
    assert english["error"]["message"] == "Sign-in or a valid API token is required."


def test_openapi_document_lists_the_api(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in schema["paths"]
    assert "/api/v1/geo/locate" in schema["paths"]


def test_interactive_docs_load_their_assets_from_this_server(db: None) -> None:
    page = Client().get("/api/docs").content.decode()
    assert "swagger" in page.lower()
    assert "cdn." not in page and "https://" not in page.split("<body")[0]


def test_a_revoked_token_is_refused_at_once_though_it_was_in_use(city: City) -> None:
    client = ApiClient("leader_1")
    assert client.get("/api/v1/people").status_code == 200
    token_revoke(token=client.headers["Authorization"].removeprefix("Bearer "))
    assert client.get("/api/v1/people").status_code == 401


def test_a_person_deactivated_while_their_token_is_in_use_is_refused(city: City) -> None:
    client = ApiClient("leader_1")
    assert client.get("/api/v1/people").status_code == 200
    leader = city.a.people["leader"]
    leader.is_active = False
    leader.save(update_fields=["is_active"])
    assert client.get("/api/v1/people").status_code == 401


def test_each_request_gets_its_own_copy_of_the_person(city: City) -> None:
    client = ApiClient("leader_1")
    token = client.headers["Authorization"].removeprefix("Bearer ")
    first, second = token_authenticate(token=token), token_authenticate(token=token)
    assert first is not None and second is not None
    assert first == second and first is not second
