"""Headless Chromium (Debian's package) driven by Playwright, for end-to-end tests. Playwright's
own browser download cannot work here, so the system browser is used; without it the tests skip,
or fail under SHOUWANG_REQUIRE_SERVICES=1."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1440, "height": 900}


def chromium_path() -> str:
    path = os.environ.get("SHOUWANG_CHROMIUM", "/usr/bin/chromium")
    if Path(path).exists() or shutil.which(path):
        return path
    reason = f"Chromium not found at {path} (install Debian's chromium package)"
    if os.environ.get("SHOUWANG_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def screens_dir() -> Path:
    """Where screenshots go: test-artifacts/screens, or SHOUWANG_SCREENS_DIR (make screens)."""
    folder = Path(os.environ.get("SHOUWANG_SCREENS_DIR", "test-artifacts/screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
