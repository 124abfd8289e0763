"""HTTP requests through a real uvicorn with Django's own ASGI handler (shouwang/asgi.py): each
request runs once, from its request_started to its request_finished; concurrent requests are all
answered; bodies in and files out arrive whole."""

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.core import signals
from django.templatetags.static import static

from shouwang.testing.city import PASSWORD, City

STATIC_FILE = Path(__file__).resolve().parents[1] / "static/shouwang/js/jurisdiction-map.js"


@pytest.fixture
def request_threads() -> Iterator[list[tuple[str, str]]]:
    """(signal, thread name) for every request_started and request_finished sent meanwhile."""
    seen: list[tuple[str, str]] = []

    def started(**_: object) -> None:
        seen.append(("started", threading.current_thread().name))

    def finished(**_: object) -> None:
        seen.append(("finished", threading.current_thread().name))

    signals.request_started.connect(started, weak=False)
    signals.request_finished.connect(finished, weak=False)
    yield seen
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


def test_each_request_is_started_and_finished_once(
    live_server_url: str, request_threads: list[tuple[str, str]]
) -> None:
    with httpx.Client(base_url=live_server_url, trust_env=False) as client:
        for _ in range(12):
            assert client.get("/healthz").status_code == 200
    # Django's handler closes an answer (request_finished) after sending it: wait for the last.
    deadline = time.monotonic() + 10
    while len(request_threads) < 24 and time.monotonic() < deadline:
        time.sleep(0.05)
    signals_sent = Counter(signal for signal, _ in request_threads)
    assert signals_sent == {"started": 12, "finished": 12}


def test_concurrent_requests_are_all_answered(live_server_url: str) -> None:
    def get(results: list[int]) -> None:
        with httpx.Client(base_url=live_server_url, trust_env=False) as client:
            results.append(client.get("/healthz").status_code)

    results: list[int] = []
    workers = [threading.Thread(target=get, args=(results,)) for _ in range(10)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert results == [200] * 10


def test_a_posted_body_reaches_the_view_and_bad_input_is_refused(
    live_server_url: str, city: City
) -> None:
    username = city.a.people["dispatcher"].username
    with httpx.Client(base_url=live_server_url, trust_env=False) as client:
        signed_in = client.post(
            "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
        )
        refused = client.post(
            "/api/v1/auth/token", json={"username": username, "password": "wrong-password"}
        )
    assert signed_in.status_code == 200 and signed_in.json()["token"]
    assert refused.status_code in {401, 422}


def test_a_streamed_file_arrives_whole(live_server_url: str) -> None:
    with httpx.Client(base_url=live_server_url, trust_env=False) as client:
        answer = client.get(static(f"shouwang/js/{STATIC_FILE.name}"))
    assert answer.status_code == 200
    assert answer.content == STATIC_FILE.read_bytes()
