"""Bearer tokens live 12 hours, end when revoked, and all end when their person's password, role
or active flag changes; a revocation holds on every process at once."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.core.models import ApiToken, AuditAction, AuditEntry, Role, User
from shouwang.core.services.people import person_change_role
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def bearer(client: ApiClient) -> str:
    return client.headers["Authorization"].removeprefix("Bearer ")


def test_a_token_lives_twelve_hours_by_default(city: City) -> None:
    ApiClient("dispatcher_1")
    record = ApiToken.objects.get()
    assert record.expires_at - record.created_at == pytest.approx(
        timedelta(hours=12), abs=timedelta(seconds=5)
    )


def test_revoke_ends_the_token_it_is_called_with_and_no_other(city: City) -> None:
    first, second = ApiClient("dispatcher_1"), ApiClient("dispatcher_1")
    assert first.post("/api/v1/auth/token/revoke").status_code == 204
    assert first.get("/api/v1/people").status_code == 401
    assert first.post("/api/v1/auth/token/revoke").status_code == 401
    assert second.get("/api/v1/people").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN_REVOKED).count() == 1


def test_revoke_needs_a_bearer_token(city: City) -> None:
    assert Client().post("/api/v1/auth/token/revoke").status_code == 401


def test_a_token_ended_in_the_database_by_another_process_fails_at_once(city: City) -> None:
    client = ApiClient("dispatcher_1")
    assert client.get("/api/v1/people").status_code == 200
    # Another process revokes with a plain UPDATE: no signal, no message reaches this one.
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/v1/people").status_code == 401


def test_a_password_change_ends_every_token_of_that_person(city: City) -> None:
    mine, other = ApiClient("dispatcher_1"), ApiClient("dispatcher_2")
    person = User.objects.get(username="dispatcher_1")
    person.set_password("Another-Passw0rd!")
    person.save()
    assert mine.get("/api/v1/people").status_code == 401
    assert other.get("/api/v1/people").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert entry.detail["reason"] == "password" and entry.detail["tokens"] == 1


def test_a_role_change_or_deactivation_ends_every_token(city: City) -> None:
    responder = ApiClient("responder_1")
    person_change_role(actor=city.admin, person=city.a.people[Role.RESPONDER], role=Role.VOLUNTEER)
    assert responder.get("/api/v1/people").status_code == 401
    leader = ApiClient("leader_1")
    person = city.a.people[Role.LEADER]
    person.is_active = False
    person.save(update_fields=["is_active"])
    person.is_active = True
    person.save(update_fields=["is_active"])
    assert leader.get("/api/v1/people").status_code == 401


def test_signing_in_again_does_not_end_the_tokens(city: City) -> None:
    client = ApiClient("dispatcher_1")
    ApiClient("dispatcher_1")  # last_login is saved again
    assert client.get("/api/v1/people").status_code == 200


def test_an_admin_ends_all_tokens_of_one_person_in_the_admin(city: City) -> None:
    victim, bystander = ApiClient("dispatcher_1"), ApiClient("leader_1")
    admin_client = Client()
    admin_client.force_login(city.admin)
    person = User.objects.get(username="dispatcher_1")
    response = admin_client.post(
        "/admin/core/user/", {"action": "end_all_tokens", "_selected_action": [person.pk]}
    )
    assert response.status_code == 302
    assert victim.get("/api/v1/people").status_code == 401
    assert bystander.get("/api/v1/people").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert entry.actor == city.admin and entry.detail["reason"] == "admin"
