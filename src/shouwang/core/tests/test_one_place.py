"""Things said once: the environment is read by settings.py alone, a setting has its default
there and nowhere else, the time zone is settings.TIME_ZONE, sets of roles are core/roles.py's,
and counters on the cache are core/ratelimit.py's and core/versions.py's (the sign-in lockout
keeps its own until it moves to django-axes)."""

import ast
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]  # src/shouwang
# Django needs its settings module named before anything is imported.
# The backup passes the environment on to PostgreSQL's own tools (PATH, PG* variables).
READS_ENVIRONMENT = {"settings.py", "cli.py", "asgi.py", "core/services/backup.py"}
COUNTS_ON_THE_CACHE = {"core/ratelimit.py", "core/versions.py", "core/services/signin.py"}


def application_files() -> Iterator[tuple[str, ast.AST]]:
    """Every module of the application, not its tests, migrations or test helpers."""
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if {"tests", "migrations", "testing"} & set(relative.parts):
            continue
        yield relative.as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else "?"


def test_only_settings_reads_the_environment() -> None:
    readers = {
        name
        for name, tree in application_files()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and _dotted(node) in {"os.environ", "os.getenv"}
    }
    assert readers <= READS_ENVIRONMENT


def test_no_setting_is_read_with_a_default_of_its_own() -> None:
    """A default beside the read (getattr(settings, NAME, default)) drifts from settings.py's."""
    found = [
        f"{name}:{node.lineno}"
        for name, tree in application_files()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _dotted(node.func) == "getattr"
        and len(node.args) == 3
        and _dotted(node.args[0]) == "settings"
    ]
    assert found == []


def test_the_time_zone_is_named_in_settings_only() -> None:
    found = [
        f"{name}:{node.lineno}"
        for name, tree in application_files()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "Asia/Shanghai"
    ]
    assert [place.split(":")[0] for place in found] == ["settings.py"]


def test_sets_of_roles_are_written_in_core_roles_only() -> None:
    found = []
    for name, tree in application_files():
        for node in ast.walk(tree):
            if isinstance(node, ast.Set) and any(
                isinstance(element, ast.Attribute) and _dotted(element.value) == "Role"
                for element in node.elts
            ):
                found.append(f"{name}:{node.lineno}")
    assert [place for place in found if not place.startswith("core/roles.py:")] == []


def test_counters_on_the_cache_are_the_rate_and_version_helpers() -> None:
    counting = {
        name
        for name, tree in application_files()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in {"incr", "decr"}
    }
    assert counting <= COUNTS_ON_THE_CACHE
