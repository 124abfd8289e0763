import pytest

from shouwang.gazetteer.demo import gazetteer_places, place_rows
from shouwang.gazetteer.selectors import gazetteer_forget
from shouwang.gazetteer.services import addresses_import
from shouwang.testing.city import City


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    # Each test's database is rolled back; the process's index must not outlive it.
    gazetteer_forget()


@pytest.fixture
def gazetteer(city: City) -> list:
    places = gazetteer_places(seed=15, houses_per_road=20)
    addresses_import(rows=place_rows(places))
    return places
