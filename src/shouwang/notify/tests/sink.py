"""A real HTTP server on 127.0.0.1 standing in for the outside world (a webhook receiver, a
DingTalk or WeCom robot): it records every request and answers from a script."""

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # JSON; defaults to a robot's {"errcode": 0, "errmsg": "ok"}
    delay: float = 0.0


OK = Reply()


class SinkServer(ThreadingHTTPServer):
    # The default listen backlog (5) resets connections when two workers post their batches
    # concurrently, which made "delivered once" tests flaky under load.
    request_queue_size = 128


class Sink:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.replies: deque[Reply] = deque()
        self.verify: Callable[[Received], bool] | None = None
        self.lock = threading.Lock()
        self.server = SinkServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, *replies: Reply) -> None:
        """Answers the next requests with these, in order; OK after they run out."""
        self.replies.extend(replies)

    def _next(self, request: Received) -> Reply:
        with self.lock:
            self.received.append(request)
            if self.verify is not None and not self.verify(request):
                return Reply(401, {"errcode": 310000, "errmsg": "sign not match"})
            return self.replies.popleft() if self.replies else OK

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                request = Received(
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                reply = sink._next(request)
                time.sleep(reply.delay)
                body = json.dumps(
                    {"errcode": 0, "errmsg": "ok"} if reply.body is None else reply.body
                ).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        return Handler

    def start(self) -> "Sink":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
