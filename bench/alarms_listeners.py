"""The five contacts' ends for bench/alarms.py: WebSocket clients signed in with API tokens (as
the phone pages are) and a local webhook sink (as a fire command's own system is), recording
when each alarm's notification reaches each of them."""

import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

SERIAL = re.compile(r"SIM-\d{6}")


class Arrivals:
    """serial -> {channel: first arrival time (time.time())}."""

    def __init__(self, channels: list[str]) -> None:
        self.channels = channels
        self.times: dict[str, dict[str, float]] = defaultdict(dict)
        self.lock = threading.Lock()

    def record(self, serial: str, channel: str) -> None:
        now = time.time()
        with self.lock:
            self.times[serial].setdefault(channel, now)

    def all_arrived(self, serial: str) -> float | None:
        with self.lock:
            got = self.times.get(serial, {})
            return max(got.values()) if len(got) == len(self.channels) else None


def ws_listen(
    *, url: str, origin: str, channel: str, arrivals: Arrivals, stop: threading.Event
) -> threading.Thread:
    def run() -> None:
        while not stop.is_set():
            try:
                with connect(url, origin=origin, open_timeout=10) as socket:
                    while not stop.is_set():
                        try:
                            raw = socket.recv(timeout=0.5)
                        except TimeoutError:
                            continue
                        _on_message(raw, channel, arrivals)
            except (OSError, WebSocketException):
                stop.wait(0.5)  # reconnect, as a phone page would

    thread = threading.Thread(target=run, name=f"ws-{channel}", daemon=True)
    thread.start()
    return thread


def _on_message(raw: str | bytes, channel: str, arrivals: Arrivals) -> None:
    data = json.loads(raw)
    message = data.get("message") or {}
    if message.get("type") != "case.dispatched":
        return
    found = SERIAL.search(str((message.get("case") or {}).get("description", "")))
    if found:
        arrivals.record(found.group(0), channel)


class WebhookSink:
    def __init__(self, arrivals: Arrivals, serial_of: Callable[[str], str | None]) -> None:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.end_headers()
                sink.on_body(body)

            def log_message(self, *_args: object) -> None:
                return

        self.arrivals, self.serial_of = arrivals, serial_of
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def on_body(self, body: bytes) -> None:
        payload = json.loads(body).get("payload") or {}
        if payload.get("type") == "devices.alarm":
            serial = self.serial_of(str(payload.get("premises", "")))
            if serial:
                self.arrivals.record(serial, "webhook")

    def stop(self) -> None:
        self.server.shutdown()
