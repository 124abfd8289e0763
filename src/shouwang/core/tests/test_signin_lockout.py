"""Sign-in lockout holds the pair (username, address), throttles an address that sprays many
usernames, grows its delay, and is released by `shouwang unlock` or the admin, audited."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from shouwang.core.models import AuditAction, AuditEntry, AuditResult, User
from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.7"
CONSOLE = "10.20.0.15"


def sign_in(username: str, password: str, address: str) -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/login/", {"username": username, "password": password}
    )
    return response.status_code


def token(username: str, password: str, address: str) -> object:
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_five_wrong_passwords_from_one_address_do_not_lock_the_dispatcher_out_elsewhere(
    city: City,
) -> None:
    for _ in range(5):
        sign_in("dispatcher_1", "wrong-password", ATTACKER)
    assert sign_in("dispatcher_1", PASSWORD, ATTACKER) == 429
    assert sign_in("dispatcher_1", PASSWORD, CONSOLE) == 302
    locked = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_LOCKED)
    assert locked.exists()
    assert {e.ip for e in locked} == {ATTACKER}
    assert locked.first().node_path == city.a.node.path  # type: ignore[union-attr]


def test_the_token_endpoint_answers_a_locked_pair_429_in_the_common_error_shape(
    city: City,
) -> None:
    for _ in range(5):
        sign_in("dispatcher_1", "wrong-password", ATTACKER)
    response = token("dispatcher_1", PASSWORD, ATTACKER)
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == "locked"  # type: ignore[attr-defined]
    assert int(response["Retry-After"]) > 0  # type: ignore[index]
    assert token("dispatcher_1", PASSWORD, CONSOLE).status_code == 200  # type: ignore[attr-defined]


def test_four_failures_then_the_right_password_still_sign_in(city: City) -> None:
    for _ in range(4):
        sign_in("dispatcher_1", "wrong-password", ATTACKER)
    assert sign_in("dispatcher_1", PASSWORD, ATTACKER) == 302


def test_a_token_issued_resets_the_pairs_count_too(city: City) -> None:
    for _ in range(2):
        for _ in range(4):
            token("dispatcher_1", "wrong-password", ATTACKER)
        assert token("dispatcher_1", PASSWORD, ATTACKER).status_code == 200  # type: ignore[attr-defined]


def test_an_address_trying_thirty_usernames_is_throttled(city: City) -> None:
    answers = [sign_in(f"guess_{n}", "Spring2026!", ATTACKER) for n in range(30)]
    assert set(answers[:29]) == {200}  # plain failures: no single name reached its limit
    assert answers[29] == 429  # the thirtieth name holds the address
    assert sign_in("responder_1", PASSWORD, ATTACKER) == 429  # the address is held
    assert token("responder_1", PASSWORD, ATTACKER).status_code == 429  # type: ignore[attr-defined]
    assert sign_in("responder_1", PASSWORD, CONSOLE) == 302


def test_each_failure_while_locked_doubles_the_wait(city: City) -> None:
    for _ in range(5):
        sign_in("dispatcher_1", "wrong-password", ATTACKER)
    first = token("dispatcher_1", "wrong-password", ATTACKER)
    second = token("dispatcher_1", "wrong-password", ATTACKER)
    waits = [int(r["Retry-After"]) for r in (first, second)]  # type: ignore[index]
    assert waits[1] == 2 * waits[0]


def test_a_long_lock_is_not_released_by_another_address_failing_later(city: City) -> None:
    for _ in range(7):  # two failures past the limit: the wait is four times the first
        sign_in("dispatcher_1", "wrong-password", ATTACKER)
    # Ten minutes pass: past the first wait, well within this address's.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    assert sign_in("leader_1", "wrong-password", CONSOLE) == 200  # any failure cleans up
    assert sign_in("dispatcher_1", PASSWORD, ATTACKER) == 429


def test_a_lock_ends_when_its_wait_is_over(city: City) -> None:
    for _ in range(5):
        sign_in("dispatcher_1", "wrong-password", ATTACKER)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=6))
    assert sign_in("dispatcher_1", PASSWORD, ATTACKER) == 302


def test_unlock_command_releases_the_lock_and_is_audited(city: City, capsys) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        sign_in("dispatcher_1", "wrong-password", ATTACKER)
    assert sign_in("dispatcher_1", PASSWORD, ATTACKER) == 429
    call_command("unlock", "dispatcher_1")
    assert "dispatcher_1" in capsys.readouterr().out
    assert sign_in("dispatcher_1", PASSWORD, ATTACKER) == 302
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_UNLOCKED)
    assert entry.result == AuditResult.SUCCESS
    assert entry.target_id == str(city.a.people["dispatcher"].pk)
    assert entry.node_path == city.a.node.path


def test_an_admin_unlocks_in_the_admin_and_it_is_audited(city: City) -> None:
    for _ in range(5):
        sign_in("dispatcher_1", "wrong-password", ATTACKER)
    admin_client = Client()
    admin_client.force_login(city.admin)
    person = User.objects.get(username="dispatcher_1")
    response = admin_client.post(
        "/admin/core/user/",
        {"action": "unlock_sign_in", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    assert sign_in("dispatcher_1", PASSWORD, ATTACKER) == 302
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_UNLOCKED)
    assert entry.actor == city.admin
