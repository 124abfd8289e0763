"""The production layout on one machine, for tests and bench/dispatch.py: N `shouwang serve`
processes, each on its own port, behind Debian's nginx with the site as shipped
(deploy/nginx/shouwang.conf), all started here and stopped again. nginx runs in the
foreground from a temporary prefix, with its pid file and logs there."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

SERVE = [sys.executable, "-m", "shouwang.cli", "serve"]
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/bin/nginx")
START_SECONDS = 60.0
STOP_SECONDS = 40.0

# The site as shipped (deploy/nginx/shouwang.conf), inside a minimal nginx.conf of our own.
SITE = Path(__file__).resolve().parents[3] / "deploy/nginx/shouwang.conf"
CONFIG = """\
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/site.conf;
}}
"""
UPSTREAM_SERVERS = re.compile(r"^\s*server 127\.0\.0\.1:\d+;\n", re.MULTILINE)


def nginx_path() -> str | None:
    found = shutil.which("nginx")
    return found or next((p for p in NGINX_CANDIDATES if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def site_config(*, port: int, upstream_ports: Sequence[int]) -> str:
    """deploy/nginx/shouwang.conf with its upstream servers and its listen address replaced."""
    site = SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in upstream_ports)
    first = UPSTREAM_SERVERS.search(site)
    assert first is not None, f"no upstream server lines in {SITE}"
    site = UPSTREAM_SERVERS.sub("", site)
    site = site[: first.start()] + servers + site[first.start() :]
    assert "    listen 80;\n" in site, f"no 'listen 80;' in {SITE}"
    return site.replace("    listen 80;\n", f"    listen 127.0.0.1:{port};\n")


def nginx_config(*, prefix: Path, port: int, upstream_ports: Sequence[int]) -> str:
    """Writes the site into `prefix` and answers the nginx.conf that includes it."""
    (prefix / "site.conf").write_text(site_config(port=port, upstream_ports=upstream_ports))
    # nginx started by root drops its workers to `nobody`, who cannot write the prefix.
    user = "user root;" if os.geteuid() == 0 else ""
    return CONFIG.format(prefix=prefix, user=user)


def healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _wait_healthy(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not healthy(port):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer in {START_SECONDS:g} s")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@dataclass
class Layout:
    port: int  # nginx's
    server_ports: list[int]
    servers: list[subprocess.Popen[bytes]]
    nginx: subprocess.Popen[bytes]

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [*self.servers, self.nginx]


@contextmanager
def serve_server(
    port: int,
    env: Mapping[str, str],
    *,
    workers: bool,
    log_level: str = "warning",
    log: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """One `shouwang serve` on `port`; its output (uvicorn's access log at level info) goes to
    `log` when given."""
    argv = [*SERVE, "--port", str(port), "--log-level", log_level]
    with ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log is not None else None
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            [*argv, *([] if workers else ["--no-workers"])],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT if out is not None else None,
        )
        try:
            yield process
        finally:
            _stop(process)


@contextmanager
def behind_nginx(
    *, count: int, env: Mapping[str, str], prefix: Path, log_level: str = "warning"
) -> Iterator[Layout]:
    """`count` server processes (the embedded workers in the first only, as one
    `shouwang worker` beside the web processes would run them) behind nginx on a free port.
    Server i writes its output to `prefix/serve-i.log`."""
    nginx = nginx_path()
    if nginx is None:
        raise FileNotFoundError("nginx")
    ports = [free_port() for _ in range(count)]
    prefix.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                serve_server(
                    p, env, workers=i == 0, log_level=log_level, log=prefix / f"serve-{i}.log"
                )
            )
            for i, p in enumerate(ports)
        ]
        for port, server in zip(ports, servers, strict=True):
            _wait_healthy(port, server, f"shouwang serve on {port}")
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / name).mkdir(parents=True, exist_ok=True)
        front = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(prefix=prefix, port=front, upstream_ports=ports))
        process = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf)])  # noqa: S603
        # nginx stops at once on SIGTERM, gracefully on SIGQUIT.
        stack.callback(_stop, process, signal.SIGQUIT)
        _wait_healthy(front, process, "nginx")
        yield Layout(port=front, server_ports=ports, servers=servers, nginx=process)
