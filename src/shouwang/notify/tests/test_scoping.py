"""The notify GET routes whose jurisdiction scoping is tested, for core's completeness check:
dead letters by town in test_dead_letters.py (a town dispatcher sees only their town's, and can
re-send only those); `mine` lists only the asking person's own messages (test_ack.py)."""

from shouwang.notify.tests import test_ack, test_dead_letters

COVERED_GET_ROUTES = {"/api/v1/notify/dead-letters", "/api/v1/notify/mine"}


def test_the_modules_that_cover_these_routes_exist() -> None:
    assert test_dead_letters.test_town_dispatcher_sees_their_towns_dead_letters_only
    assert test_ack is not None
