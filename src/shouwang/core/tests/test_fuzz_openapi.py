"""The OpenAPI document is true: schemathesis generates requests for every operation of
/api/openapi.json against a live server, signed in as a dispatcher, and fails on any server
error and on any answer (status, content type, headers, body) that the document does not
declare. Bounded and reproducible: a few examples per operation, deterministic generation
(the same cases every run). Runs once, in the PostgreSQL pass of `make test` (test_fuzz_*.py)."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest

from shouwang.cases.tests.factories import equip, make_case
from shouwang.testing.city import build_city
from shouwang.testing.live import running_server

MAX_EXAMPLES = int(os.environ.get("SHOUWANG_FUZZ_MAX_EXAMPLES", "10"))
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


@pytest.fixture
def server_url(flushable_db: None, settings: Any) -> Iterator[str]:
    """The test city with a case in each town, served live. Notifications stay in the outbox:
    the inline sender's recorder holds database connections past the server's stop, and then
    PostgreSQL cannot drop the test database."""
    from django.apps import apps

    settings.SHOUWANG_OUTBOX_DELIVER_ON_COMMIT = False

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)
    loop = equip(build_city())
    make_case(loop)
    make_case(loop, town="b")
    with running_server(workers=False) as url:
        yield url


def test_every_operation_answers_as_the_openapi_document_says(
    server_url: str, tmp_path: Path
) -> None:
    import httpx

    token = httpx.post(
        f"{server_url}/api/v1/auth/token",
        json={"username": "dispatcher_1", "password": "Test-Passw0rd!"},
    ).json()["token"]
    report = tmp_path / "events.ndjson"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{server_url}/api/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--generation-deterministic",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
        ],
        cwd=tmp_path,  # its own files (.schemathesis/) stay out of the work tree
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    print(result.stdout[-20000:])  # the summary: operations, cases generated, failures
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert report.exists() and json.loads(report.read_text().splitlines()[0])
