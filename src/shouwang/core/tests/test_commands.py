"""The shouwang command: adduser, init-env, seed-demo, and the production deploy check."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from shouwang.core.demo.seeding import demo_login_plan
from shouwang.core.envfile import init_env, read_env
from shouwang.core.models import JurisdictionNode, Role, User
from shouwang.testing.city import City

SHOUWANG = [sys.executable, "-m", "shouwang.cli"]


@pytest.mark.django_db
def test_adduser_creates_a_person_in_the_node(city: City) -> None:
    call_command(
        "adduser",
        "zhang_san",
        role="inspector",
        node=city.a.village.code,
        password="Xy7-long-pass",
        name="张三",
        phone="13912345678",
    )
    person = User.objects.get(username="zhang_san")
    assert (person.role, person.node, person.full_name) == (Role.INSPECTOR, city.a.village, "张三")
    assert person.check_password("Xy7-long-pass") and person.phone_masked == "139****5678"


@pytest.mark.django_db
def test_adduser_refuses_an_unknown_node_and_creates_nothing(city: City) -> None:
    with pytest.raises(CommandError, match="no jurisdiction node"):
        call_command(
            "adduser", "li_si", role="volunteer", node="330782999000", password="Xy7-long-pass"
        )
    assert not User.objects.filter(username="li_si").exists()


@pytest.mark.django_db
def test_adduser_refuses_a_weak_password(city: City) -> None:
    with pytest.raises(CommandError):
        call_command(
            "adduser", "li_si", role="volunteer", node=city.a.node.code, password="12345678"
        )
    assert not User.objects.filter(username="li_si").exists()


@pytest.mark.django_db
def test_adduser_refuses_a_taken_username(city: City) -> None:
    with pytest.raises(CommandError):
        call_command(
            "adduser", "leader_1", role="volunteer", node=city.a.node.code, password="Xy7-long-pass"
        )


def test_init_env_writes_fresh_secrets_once(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    assert "SHOUWANG_SECRET_KEY" in init_env(env)
    first = read_env(env)
    assert init_env(env) == []
    assert read_env(env) == first
    assert oct(env.stat().st_mode)[-3:] == "600"
    assert (
        read_env(tmp_path / ".env")["SHOUWANG_PII_KEYS"]
        != read_env(_fresh(tmp_path))["SHOUWANG_PII_KEYS"]
    )


def _fresh(tmp_path: Path) -> Path:
    other = tmp_path / "other.env"
    init_env(other)
    return other


@pytest.mark.django_db
def test_seed_demo_builds_the_city_once_and_adds_nothing_the_second_time(settings, capsys) -> None:
    settings.SHOUWANG_DEMO_PASSWORD = settings.SHOUWANG_DEMO_PASSWORD or "Demo-Passw0rd-x"
    call_command("seed_demo", scale="small", no_progress=True)
    counts = (JurisdictionNode.objects.count(), User.objects.count())
    call_command("seed_demo", scale="small", no_progress=True)
    assert (JurisdictionNode.objects.count(), User.objects.count()) == counts
    assert JurisdictionNode.objects.filter(level="town").count() == 14
    output = capsys.readouterr().out
    for username, role, _node, _unit in demo_login_plan():
        assert username in output
        assert User.objects.get(username=username).role == role


@pytest.mark.django_db
def test_demo_city_centre_is_located_in_choucheng(settings) -> None:
    from shouwang.core.demo.seeding import seed_demo
    from shouwang.core.geo.locate import locate_grid_id

    seed_demo(scale="small", password="Demo-Passw0rd-x", progress=False)
    grid = JurisdictionNode.objects.get(pk=locate_grid_id(lng=120.0751, lat=29.3068))
    assert grid.path.startswith("/330782/330782001000/")


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "SHOUWANG_ENV_FILE": str(tmp_path / "none.env"),
        "SHOUWANG_DATA_DIR": str(tmp_path),
        "SHOUWANG_SECRET_KEY": "x" * 20 + "Q9w!e#r$t%y^u&i*o(p)a_s-d=f+g" + "z" * 10,
        "SHOUWANG_ALLOWED_HOSTS": "shouwang.example.gov.cn",
        "SHOUWANG_PII_KEYS": "k1:" + "A" * 43,
        "SHOUWANG_PII_ACTIVE_KEY": "k1",
        "SHOUWANG_PII_HASH_KEY": "B" * 43,
    }
    result = subprocess.run(
        [*SHOUWANG, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_secrets(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "SHOUWANG_ENV_FILE": str(tmp_path / "none.env")}
    result = subprocess.run(
        [*SHOUWANG, "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "shouwang init-env" in result.stderr


def test_serve_runs_the_stop_hooks_once_the_server_has_stopped(monkeypatch) -> None:
    from shouwang.core import workers
    from shouwang.notify.delivery.now import inline_settle

    assert inline_settle in workers.STOP_HOOKS  # notify records its sends before a clean stop
    order: list[str] = []

    def run(server: Any, sockets: Any = None) -> None:
        order.append("served")
        server.started = True

    monkeypatch.setattr("uvicorn.Server.run", run)
    monkeypatch.setattr(workers, "STOP_HOOKS", [lambda: order.append("hook")])
    call_command("serve", "--no-workers", "--port", "0")
    assert order == ["served", "hook"]
