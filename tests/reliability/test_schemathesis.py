"""Schemathesis against the app's own OpenAPI schema: every operation, generated valid and invalid
requests, zero server errors. The app runs as a real uvicorn process on a free 127.0.0.1 port with
a temporary migrated database, and Rasa is the HTTP double of conftest.py. The service token is
sent, so the leads and lawyers APIs are exercised past authentication (schemathesis also sends
requests without it, which must answer 401, never 5xx)."""
from __future__ import annotations

import json
import os
import subprocess

import httpx
import pytest

from tests.reliability.conftest import REPO, SERVICE_TOKEN, app_process

APP_PY = REPO / ".venv-app" / "bin" / "python"
SCHEMATHESIS = REPO / ".venv-app" / "bin" / "schemathesis"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, rasa_double):
    with app_process(tmp_path_factory.mktemp("schemathesis"), rasa_double.url) as url:
        yield url


def test_openapi_schema_has_no_server_errors(app_url, tmp_path):
    schema = httpx.get(f"{app_url}/openapi.json").json()
    operations = sum(len(methods) for methods in schema["paths"].values())
    assert {"/api/chat", "/api/triage", "/api/leads"} <= set(schema["paths"]), sorted(schema["paths"])
    report = tmp_path / "report.json"
    command = [
        str(SCHEMATHESIS), "run", f"{app_url}/openapi.json",
        "--checks", "not_a_server_error",
        "--max-examples", str(MAX_EXAMPLES),
        "--phases", "examples,coverage,fuzzing",
        # One worker: CPython 3.11.7's ast.parse is not thread-safe (hypothesis calls it while
        # describing strategies), and two workers crashed the tool itself, not our server.
        "--workers", "1",
        "--seed", "20261126",
        "--request-timeout", "30",
        "--header", f"Authorization: Bearer {SERVICE_TOKEN}",
        "--generation-database", "none",
        "--no-color",
        "--report", "json", "--report-json-path", str(report),
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    print(result.stdout[-6000:])
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert operations >= 5
    if report.exists():
        summary = json.loads(report.read_text())
        print(json.dumps(summary, indent=1)[:1500])
