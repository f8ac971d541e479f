"""Schemathesis against the app's own OpenAPI schema: every operation, generated valid and invalid
requests, zero server errors. The app runs as a real uvicorn process on a free 127.0.0.1 port with
a temporary migrated database, and Rasa is the HTTP double of conftest.py. The service token is
sent, so the leads and lawyers APIs are exercised past authentication (schemathesis also sends
requests without it, which must answer 401, never 5xx)."""
from __future__ import annotations

import json
import os
import subprocess
import time

import httpx
import pytest

from tests.reliability.conftest import RASA_TOKEN, REPO, SECRET_KEY, SERVICE_TOKEN, free_port, migrate_and_seed

APP_PY = REPO / ".venv-app" / "bin" / "python"
SCHEMATHESIS = REPO / ".venv-app" / "bin" / "schemathesis"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, rasa_double):
    var = tmp_path_factory.mktemp("schemathesis")
    database_url = f"sqlite:///{var / 'legalaid.db'}"
    migrate_and_seed(database_url)
    port = free_port()
    env = {
        **os.environ, "PYTHONPATH": str(REPO), "DATABASE_URL": database_url,
        "TRACKER_DATABASE_URL": f"sqlite:///{var / 'tracker.db'}", "RASA_URL": rasa_double.url,
        "RASA_TOKEN": RASA_TOKEN, "SERVICE_TOKEN": SERVICE_TOKEN, "SECRET_KEY": SECRET_KEY,
        "MAIL_OUTBOX_PATH": str(var / "mail.log"), "NOTIFIER": "file",
        "CHAT_RATE_LIMIT": "1000000/minute", "LOGIN_RATE_LIMIT": "1000000/minute",
    }
    log = open(var / "app.log", "wb")
    process = subprocess.Popen(
        [str(APP_PY), "-m", "uvicorn", "handoff.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the app did not start:\n" + (var / "app.log").read_text()[-3000:])
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        server_errors = [line for line in (var / "app.log").read_text(errors="replace").splitlines() if "Traceback" in line]
        if server_errors:
            print((var / "app.log").read_text(errors="replace")[-5000:])


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
        "--workers", "2",
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
