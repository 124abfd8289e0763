"""Sign-ins, failures, lockouts and permission changes are audited; the log cannot be edited."""

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client

from shouwang.core.models import AuditAction, AuditEntry, AuditResult, Role
from shouwang.core.services.people import person_change_role
from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.django_db


def sign_in(username: str, password: str) -> int:
    response = Client().post("/login/", {"username": username, "password": password})
    return response.status_code


def test_successful_sign_in_is_audited_with_the_address(city: City) -> None:
    assert sign_in("leader_1", PASSWORD) == 302
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN)
    assert entry.actor_username == "leader_1"
    assert entry.ip == "127.0.0.1"
    assert entry.node_path == city.a.node.path


def test_a_forwarded_header_from_the_client_is_not_its_address(city: City) -> None:
    """Behind a trusted proxy uvicorn has already put the client in REMOTE_ADDR; a header a
    client sends itself must not write another address into the log."""
    forged = Client(REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="10.0.0.1")
    forged.post("/login/", {"username": "leader_1", "password": "wrong-password"})
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert entry.ip == "198.51.100.20"


def test_failed_sign_in_is_audited_without_the_password(city: City) -> None:
    assert sign_in("leader_1", "wrong-password") == 200
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert (entry.actor_username, entry.result) == ("leader_1", AuditResult.FAILURE)
    assert "wrong-password" not in str(entry.detail)


def test_a_success_resets_the_failure_count(city: City) -> None:
    for _ in range(4):
        sign_in("leader_1", "wrong-password")
    assert sign_in("leader_1", PASSWORD) == 302
    for _ in range(4):
        sign_in("leader_1", "wrong-password")
    assert sign_in("leader_1", PASSWORD) == 302


def test_role_change_is_audited_with_before_and_after(city: City) -> None:
    person = city.a.people["volunteer"]
    person_change_role(actor=city.admin, person=person, role=Role.INSPECTOR)
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_CHANGED)
    assert entry.detail == {"from": "volunteer", "to": "inspector"}
    assert entry.actor == city.admin


def test_permission_change_in_the_admin_is_audited(city: City) -> None:
    client = Client()
    client.force_login(city.admin)
    person = city.a.people["volunteer"]
    page = client.get(f"/admin/core/user/{person.pk}/change/")
    assert page.status_code == 200
    form = {
        "username": person.username,
        "full_name": person.full_name,
        "role": person.role,
        "node": person.node_id,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "phone": "",
        "id_number": "",
    }
    response = client.post(f"/admin/core/user/{person.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action=AuditAction.PERMISSION_CHANGED)
    assert entry.detail["before"]["is_staff"] is False
    assert entry.detail["after"]["is_staff"] is True


def test_audit_entries_cannot_be_changed(city: City) -> None:
    sign_in("leader_1", PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(result=AuditResult.FAILURE)
    entry.refresh_from_db()
    assert entry.result == AuditResult.SUCCESS


def test_recent_audit_entries_cannot_be_deleted(city: City) -> None:
    from shouwang.testing.audit_window import set_audit_purge_window

    set_audit_purge_window(open_=False)
    sign_in("leader_1", PASSWORD)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEntry.objects.filter(action=AuditAction.SIGN_IN).delete()
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_IN).exists()


def test_admin_audit_page_lists_and_filters_but_offers_no_editing(city: City) -> None:
    sign_in("leader_1", "wrong-password")
    client = Client()
    client.force_login(city.admin)
    page = client.get("/admin/core/auditentry/", {"action__exact": "sign_in_failed"})
    assert page.status_code == 200
    assert "leader_1" in page.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403


def test_town_leader_sees_only_town_audit_entries_over_the_api(city: City) -> None:
    from shouwang.testing.api import ApiClient

    ApiClient("leader_2")
    items = ApiClient("leader_1").get("/api/v1/audit").json()["items"]
    assert {item["actor_username"] for item in items} >= {"leader_1"}
    assert "leader_2" not in {item["actor_username"] for item in items}


def test_volunteer_cannot_read_the_audit_log(city: City) -> None:
    from shouwang.testing.api import ApiClient

    assert ApiClient("volunteer_1").get("/api/v1/audit").status_code == 403
