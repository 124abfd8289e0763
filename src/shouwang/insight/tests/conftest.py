"""Fixtures of the KPI tests: the test city equipped for the loop, and a small history of cases
replayed through the real services at past times."""

import pytest

from shouwang.cases.tests.factories import Loop, equip
from shouwang.insight.tests.history import History, build_history
from shouwang.testing.city import City


@pytest.fixture
def loop(city: City) -> Loop:
    return equip(city)


@pytest.fixture
def history(loop: Loop) -> History:
    return build_history(loop)
