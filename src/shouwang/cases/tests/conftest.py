"""Fixtures of the loop's tests."""

from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps

from shouwang.cases.models import Category
from shouwang.cases.tests.factories import Loop, equip
from shouwang.testing.city import City


def taxonomy_ensure() -> None:
    """The flush after a transactional test empties the taxonomy that migration 0002 installs;
    tests that run after one in the same database need it back."""
    if not Category.objects.exists():
        import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)


@pytest.fixture
def loop(city: City) -> Loop:
    taxonomy_ensure()
    return equip(city)


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
