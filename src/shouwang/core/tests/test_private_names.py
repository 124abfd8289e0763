"""No code of ours uses a private name of Django, Channels or channels_redis: an upgrade of any
of them may change or drop such a name without notice. A name is theirs and private when their
source defines it with a leading underscore (a function, a method, a class attribute or a
`self._x` attribute) and ours does not; a few undocumented internals without the underscore are
listed by hand. Django documents `_meta`, `_default_manager`, `_base_manager` and `Model._state`
for use by applications, so they are allowed."""

import ast
import importlib.util
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2]  # src/shouwang
OTHER_PROJECTS = ("django", "channels", "channels_redis")
DOCUMENTED = {"_meta", "_default_manager", "_base_manager", "_state"}
# Internals without the underscore that code here once reached for: the connection's commit
# hooks, and modules whose names are not Django's public API (ASGIHandler's request plumbing
# under django.core.handlers; django.core.asgi.get_asgi_application is the public way in).
UNDOCUMENTED = {"run_on_commit", "savepoint_ids", "savepoint_state"}
UNDOCUMENTED_MODULES = {
    "django.utils.translation.trans_real",
    "django.core.handlers.asgi",
    "django.core.handlers.base",
}
# Private uses kept for now, each with where it is and why it is not gone yet. The test fails
# when one is no longer there, so the list only shrinks.
KNOWN: dict[str, set[str]] = {
    # The intake answer sets a fresh case's related lists as prefetched without a query; the
    # case-step kernel (issue 13, the other half) takes this module over.
    "cases/selectors/cases.py": {"_result_cache", "_prefetch_done", "_prefetched_objects_cache"},
}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined(tree: ast.AST) -> Iterator[str]:
    """Private names a module defines: functions, methods, class or module attributes, and
    attributes assigned on the object itself (`self._x = …`; `other._x = …` is a use)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}:
                yield node.attr
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            yield node.target.id


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, name
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def theirs() -> frozenset[str]:
    names: set[str] = set()
    for project in OTHER_PROJECTS:
        for path in _package_dir(project).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            names.update(n for n in _defined(_tree(path)) if _private(n))
    return frozenset(names)


def our_files() -> list[Path]:
    return [
        path
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts and path.name != Path(__file__).name
    ]


@cache
def ours() -> frozenset[str]:
    return frozenset(n for path in our_files() for n in _defined(_tree(path)) if _private(n))


def private_uses(path: Path) -> set[str]:
    """The names of the other projects' internals that `path` uses."""
    used: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Attribute):
            name = node.attr
            if name in UNDOCUMENTED or (
                _private(name) and name in theirs() and name not in ours() | DOCUMENTED
            ):
                used.add(name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # getattr(obj, "_x") and obj.__dict__["_x"]
            if _private(node.value) and node.value in theirs() - ours() - DOCUMENTED:
                used.add(node.value)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in OTHER_PROJECTS:
                if node.module in UNDOCUMENTED_MODULES:
                    used.add(node.module)
                used.update(a.name for a in node.names if _private(a.name))
        elif isinstance(node, ast.Import):
            used.update(a.name for a in node.names if a.name in UNDOCUMENTED_MODULES)
    return used


def test_no_code_uses_a_private_name_of_django_channels_or_channels_redis() -> None:
    found = {}
    for path in our_files():
        relative = path.relative_to(SOURCE).as_posix()
        used = private_uses(path) - KNOWN.get(relative, set())
        if used:
            found[relative] = sorted(used)
    assert found == {}, "private names of Django/Channels/channels_redis in use"


@pytest.mark.parametrize("relative", sorted(KNOWN))
def test_the_known_private_uses_are_still_there_or_the_list_shrinks(relative: str) -> None:
    path = SOURCE / relative
    assert path.exists() and KNOWN[relative] <= private_uses(path), (
        f"{relative} no longer uses {sorted(KNOWN[relative])}: remove it from KNOWN"
    )


def test_the_check_sees_the_private_names_it_is_about(tmp_path: Path) -> None:
    code = (
        "from django.utils.translation.trans_real import parse_accept_lang_header\n"
        "from django.core.handlers.asgi import ASGIHandler\n"
        "layer._group_key(group)\n"
        "layer._map_channel_keys_to_connection(keys, message)\n"
        "connection.run_on_commit\n"
        "model._meta.label\n"
    )
    probe = tmp_path / "probe.py"
    probe.write_text(code, encoding="utf-8")
    assert private_uses(probe) == {
        "django.utils.translation.trans_real",
        "django.core.handlers.asgi",
        "_group_key",
        "_map_channel_keys_to_connection",
        "run_on_commit",
    }
