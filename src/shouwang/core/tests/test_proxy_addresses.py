"""Whose X-Forwarded-For is believed: `shouwang serve` gives uvicorn SHOUWANG_TRUSTED_PROXIES,
and uvicorn puts the client a trusted proxy names in the request's address (REMOTE_ADDR), which
is all the application reads (core/services/audit.py client_ip)."""

from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def test_serve_trusts_forwarded_headers_from_the_configured_proxies_only(monkeypatch) -> None:
    seen: dict[str, Any] = {}

    def run(server: Any, sockets: Any = None) -> None:
        seen.update(vars(server.config))
        server.started = True

    monkeypatch.setattr("uvicorn.Server.run", run)
    call_command("serve", "--no-workers", "--port", "0")
    assert seen["proxy_headers"] is True
    assert seen["forwarded_allow_ips"] == settings.SHOUWANG_TRUSTED_PROXIES
    assert settings.SHOUWANG_TRUSTED_PROXIES == []  # none unless configured


async def client_seen(peer: str, forwarded: str | None) -> str:
    """The address the application gets for a request from `peer` carrying `forwarded`."""
    seen: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.update(scope)

    middleware = ProxyHeadersMiddleware(app, trusted_hosts=settings.SHOUWANG_TRUSTED_PROXIES)
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope = {"type": "http", "client": (peer, 50000), "headers": headers, "scheme": "http"}
    await middleware(scope, None, None)
    return str(seen["client"][0])


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),  # nginx on this machine names the client
        ("127.0.0.1", "10.9.9.9, 198.51.100.1", "198.51.100.1"),  # a forged first hop is not it
        ("::1", "198.51.100.2", "198.51.100.2"),
        ("203.0.113.5", "10.0.0.1", "203.0.113.5"),  # straight from outside: header ignored
    ],
)
async def test_the_client_is_the_one_the_trusted_proxy_names(
    peer: str, forwarded: str, client: str, settings
) -> None:
    settings.SHOUWANG_TRUSTED_PROXIES = ["127.0.0.1", "::1"]  # nginx on this machine
    assert await client_seen(peer, forwarded) == client


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "203.0.113.5"])
async def test_by_default_no_one_is_believed_about_the_client(peer: str) -> None:
    """Anyone on the host could otherwise forge the address the audit log records."""
    assert await client_seen(peer, "198.51.100.1") == peer
