"""Open311 API keys: issued from the command line or the admin, shown once, kept as a digest,
audited, and seen in the admin only within the viewer's jurisdiction."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.test import Client

from shouwang.cases.tests.factories import Loop
from shouwang.core.models import AuditAction, AuditEntry, Role
from shouwang.core.services.people import person_create
from shouwang.open311.models import Open311ApiKey
from shouwang.open311.services import api_key_authenticate, api_key_issue
from shouwang.open311.tests.conftest import BASE, LAT, LNG
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_new_key_that_posts(loop: Loop, client: Client) -> None:
    out, err = StringIO(), StringIO()
    call_command("open311_key", "市民随手拍", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("o311_")
    assert "\n" not in key
    assert "只显示这一次" in err.getvalue()
    record = Open311ApiKey.objects.get()
    assert record.name == "市民随手拍"
    assert record.node is None
    response = client.post(
        f"{BASE}/requests.json",
        {"api_key": key, "service_code": "garbage", "lat": LAT, "long": LNG},
    )
    assert response.status_code == 201


def test_the_command_may_limit_the_key_to_a_node(loop: Loop) -> None:
    # `shouwang open311-key` reaches this command: the CLI turns hyphens into underscores.
    assert get_commands()["open311_key"] == "shouwang.open311"
    out = StringIO()
    call_command("open311_key", "北苑网格通", "--node", loop.city.b.node.code, stdout=out)
    assert api_key_authenticate(key=out.getvalue().strip()).node == loop.city.b.node


def test_an_unknown_node_is_refused_and_no_key_is_issued(loop: Loop) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no jurisdiction node"):
        call_command("open311_key", "x", "--node", "999", stdout=StringIO())
    assert not Open311ApiKey.objects.exists()


def test_only_the_digest_is_kept_and_the_issue_is_audited(loop: Loop) -> None:
    issued = api_key_issue(name="市民随手拍", actor=loop.city.admin)
    record = Open311ApiKey.objects.get()
    assert issued.key not in str(list(Open311ApiKey.objects.values().get().values()))
    assert record.digest == hashlib.sha256(issued.key.encode()).hexdigest()
    assert record.prefix == issued.key[:10]
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN_ISSUED)
    assert entry.actor == loop.city.admin
    assert entry.target_id == str(record.pk)
    assert entry.detail == {"kind": "open311_api_key", "name": "市民随手拍"}


def test_using_a_key_stamps_its_last_use(loop: Loop) -> None:
    issued = api_key_issue(name="市民随手拍")
    assert issued.record.last_used_at is None
    api_key_authenticate(key=issued.key)
    assert Open311ApiKey.objects.get().last_used_at is not None


def admin_client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_admin_issues_a_key_and_shows_it_once(loop: Loop) -> None:
    client = admin_client(loop.city.admin.username)
    response = client.post(
        "/admin/open311/open311apikey/add/",
        {"name": "12345热线平台", "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    [shown] = [str(m) for m in response.context["messages"] if "只显示这一次" in str(m)]
    key = shown.rsplit("：", 1)[1]
    assert key in response.content.decode()
    record = api_key_authenticate(key=key)
    assert record.name == "12345热线平台"
    page = client.get(f"/admin/open311/open311apikey/{record.pk}/change/").content.decode()
    assert key not in page
    assert record.prefix in page


def test_the_admin_switches_a_key_off(loop: Loop) -> None:
    issued = api_key_issue(name="旧系统")
    client = admin_client(loop.city.admin.username)
    response = client.post(
        f"/admin/open311/open311apikey/{issued.record.pk}/change/", {"name": "旧系统"}
    )
    assert response.status_code == 302
    assert Open311ApiKey.objects.get().is_active is False


def test_a_town_admin_sees_only_the_keys_of_their_town(loop: Loop) -> None:
    town_admin = person_create(
        username="admin_town_a",
        role=Role.ADMIN,
        node=loop.city.a.node,
        password=PASSWORD,
        full_name="稠城管理员",
    )
    town_admin.is_staff = town_admin.is_superuser = True
    town_admin.save(update_fields=["is_staff", "is_superuser"])
    mine = api_key_issue(name="稠城网格通", node=loop.city.a.node)
    api_key_issue(name="北苑网格通", node=loop.city.b.node)
    api_key_issue(name="全市平台")
    page = admin_client(town_admin.username).get("/admin/open311/open311apikey/")
    assert page.status_code == 200
    text = page.content.decode()
    assert mine.record.name in text
    assert "北苑网格通" not in text
    assert "全市平台" not in text


def test_the_admin_lists_which_key_posted_each_case(loop: Loop, client: Client) -> None:
    issued = api_key_issue(name="市民随手拍")
    client.post(
        f"{BASE}/requests.json",
        {"api_key": issued.key, "service_code": "garbage", "lat": LAT, "long": LNG},
    )
    page = admin_client(loop.city.admin.username).get("/admin/open311/open311request/")
    assert page.status_code == 200
    assert "市民随手拍" in page.content.decode()
