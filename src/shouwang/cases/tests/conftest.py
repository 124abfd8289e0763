"""Fixtures of the loop's tests."""

from pathlib import Path

import pytest

from shouwang.cases.tests.factories import Loop, equip
from shouwang.testing.city import City


@pytest.fixture
def loop(city: City) -> Loop:
    return equip(city)


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
