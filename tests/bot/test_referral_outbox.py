"""The bot's referral client and its persistent outbox, against real HTTP servers.

Run with the bot environment:  .venv-bot/bin/pytest tests/bot/test_referral_outbox.py

The end-to-end tests start the real referral API (uvicorn from .venv-app) on a free 127.0.0.1
port with a temporary SQLite database; the pure outbox logic uses a small stdlib HTTP server.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import types
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scripts.stack import stop_process

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = REPO_ROOT / ".venv-app" / "bin" / "python"
TOKEN = "outbox-test-token"

pytestmark = pytest.mark.bot


def _load_client_package():
    """Import bot/actions/clients as a standalone package: the client must not depend on the rest
    of the action server (bot/actions/__init__ imports every Rasa action)."""
    name = "referral_clients_under_test"
    if name in sys.modules:
        return sys.modules[name]
    package = types.ModuleType(name)
    package.__path__ = [str(REPO_ROOT / "bot" / "actions" / "clients")]
    sys.modules[name] = package
    for module in ("outbox", "referral_api"):
        spec = importlib.util.spec_from_file_location(f"{name}.{module}", REPO_ROOT / "bot" / "actions" / "clients" / f"{module}.py")
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = loaded
        spec.loader.exec_module(loaded)
        setattr(package, module, loaded)
    return package


clients = _load_client_package()
Outbox = clients.outbox.Outbox
ReferralClient = clients.referral_api.ReferralClient


@pytest.fixture(autouse=True)
def stop_retry_loops(monkeypatch):
    """Every background retry loop a test starts is stopped when the test ends."""
    started = []
    original = clients.outbox.RetryLoop.start

    def start(self):
        started.append(self)
        return original(self)

    monkeypatch.setattr(clients.outbox.RetryLoop, "start", start)
    yield
    for loop in started:
        loop.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_lead(i: int, **overrides) -> dict:
    """A lead as the bot's form builds it."""
    lead = {
        "conversation_id": f"outbox-conv-{i:04d}",
        "topic": "housing",
        "nlu_confidence": 0.37,
        "handoff_reason": "user_request",
        "name": f"Test Person {i}",
        "email": f"person{i}@example.com",
        "phone": None,
        "state": None,
        "zip_code": "10001",
        "preferred_contact": "email",
        "urgency": "normal",
        "summary": "My landlord is trying to evict me.",
        "consent_version": "2026-11-26",
        "consent_at": "2026-11-26T12:00:00+00:00",
    }
    lead.update(overrides)
    return lead


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# --- the real API under uvicorn ----------------------------------------------------------------------

class ApiServer:
    """The referral API (handoff.main) under uvicorn from .venv-app, on a fixed port, stoppable and
    restartable on the same SQLite database."""

    def __init__(self, tmp_path: Path, template_db: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'api.db'}",
            "SERVICE_TOKEN": TOKEN,
            "NOTIFIER": "file",
            "MAIL_OUTBOX_PATH": str(tmp_path / "outbox_mail.log"),
            "PYTHONPATH": str(REPO_ROOT),
        }
        self.log = tmp_path / "uvicorn.log"
        self.process: subprocess.Popen | None = None
        shutil.copyfile(template_db, tmp_path / "api.db")  # migrated once per module

    def start(self) -> None:
        assert self.process is None
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(APP_PYTHON), "-m", "uvicorn", "handoff.main:create_app", "--factory", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "warning"],
                cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        if not wait_until(self.healthy, timeout=30, interval=0.1):
            self.stop()
            raise RuntimeError(f"API did not start: {self.log.read_text()[-2000:]}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/health", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, grace=15)
            self.process = None

    def get(self, path: str) -> dict:
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def total_leads(self) -> int:
        return self.get("/api/leads?per_page=1")["total"]

    def conversation_ids(self) -> list[str]:
        ids: list[str] = []
        page = 1
        while True:
            batch = self.get(f"/api/leads?per_page=100&page={page}&sort=id")
            ids += [lead["conversation_id"] for lead in batch["items"]]
            if page * 100 >= batch["total"]:
                return ids
            page += 1


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory) -> Path:
    if not APP_PYTHON.exists():
        pytest.skip(f"the app environment is missing ({APP_PYTHON}); run the app install first")
    path = tmp_path_factory.mktemp("template") / "api.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run([str(APP_PYTHON), "-m", "alembic", "-c", "handoff/alembic.ini", "upgrade", "head"],
                   cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=120)
    return path


@pytest.fixture
def api(tmp_path, migrated_db):
    server = ApiServer(tmp_path, migrated_db)
    yield server
    server.stop()


def fast_client(url: str, outbox_path: Path, **kwargs) -> ReferralClient:
    outbox = Outbox(outbox_path, base_delay=0.1, max_delay=0.5)
    return ReferralClient(url, TOKEN, outbox=outbox, timeout=5, fast_fail_seconds=0.5, **kwargs)


@pytest.mark.integration
def test_delivered_at_once_when_the_api_is_up(api, tmp_path):
    api.start()
    client = fast_client(api.url, tmp_path / "lead_outbox.db")
    lead = make_lead(1)
    assert client.submit_or_queue(lead) == "delivered"
    assert client.outbox.counts() == {"pending": 0, "delivered": 1, "rejected": 0}
    # The delivered copy no longer holds personal data.
    assert client.outbox.get(1).payload == {} and client.outbox.get(1).lead_id is not None
    # The same lead again (e.g. the action re-run) is not sent twice.
    assert client.submit_or_queue(lead) == "delivered"
    assert api.total_leads() == 1
    stored = api.get(f"/api/leads/{client.outbox.get(1).lead_id}")
    assert stored["zip"] == "10001" and stored["state"] == "NY" and stored["conversation_id"] == "outbox-conv-0001"


@pytest.mark.integration
def test_api_stopped_while_100_leads_are_submitted_then_started(api, tmp_path):
    api.start()
    client = fast_client(api.url, tmp_path / "lead_outbox.db")
    assert client.submit_or_queue(make_lead(0)) == "delivered"
    api.stop()

    outcomes = [client.submit_or_queue(make_lead(i)) for i in range(1, 101)]
    assert outcomes == ["queued"] * 100
    assert client.outbox.counts()["pending"] == 100
    client.start_retry_loop(interval=0.05)
    time.sleep(0.5)  # a few retries hit the stopped API
    assert client.outbox.counts()["pending"] == 100

    api.start()
    try:
        assert wait_until(lambda: client.outbox.counts()["delivered"] == 101, timeout=60), client.outbox.counts()
    finally:
        client.stop_retry_loop()
    assert client.outbox.counts() == {"pending": 0, "delivered": 101, "rejected": 0}
    ids = api.conversation_ids()
    assert api.total_leads() == 101
    assert sorted(ids) == sorted(f"outbox-conv-{i:04d}" for i in range(101))  # each exactly once

    # Nothing left to do, and re-submitting changes nothing.
    assert client.flush(force=True).attempted == 0
    assert all(client.submit_or_queue(make_lead(i)) == "delivered" for i in range(101))
    assert api.total_leads() == 101


@pytest.mark.integration
def test_queued_leads_survive_a_restart_of_the_action_server(api, tmp_path):
    path = tmp_path / "lead_outbox.db"
    first = fast_client(api.url, path)  # API not running yet
    assert [first.submit_or_queue(make_lead(i)) for i in range(5)] == ["queued"] * 5
    first.stop_retry_loop()
    del first
    api.start()
    second = fast_client(api.url, path)  # a new process would build a new client on the same file
    report = second.flush(force=True)
    assert (report.delivered, report.retried, report.rejected) == (5, 0, 0)
    assert api.total_leads() == 5


@pytest.mark.integration
def test_crash_between_send_and_mark_is_still_exactly_once(api, tmp_path):
    api.start()
    client = fast_client(api.url, tmp_path / "lead_outbox.db")
    lead = make_lead(7)
    item = client.outbox.enqueue("outbox-conv-0007", lead)
    # The API stored it, but the process "died" before marking the outbox item delivered.
    assert client.submit(lead).status == 201
    assert client.outbox.get(item.id).status == "pending"
    report = client.flush(force=True)
    assert report.delivered == 1
    assert api.total_leads() == 1


@pytest.mark.integration
def test_invalid_lead_is_kept_as_rejected_not_retried(api, tmp_path):
    api.start()
    client = fast_client(api.url, tmp_path / "lead_outbox.db")
    bad = make_lead(9, email="not-an-email", phone=None)
    assert client.submit_or_queue(bad) == "queued"
    counts = client.outbox.counts()
    assert counts["rejected"] == 1 and counts["pending"] == 0
    (item,) = [client.outbox.get(1)]
    assert item.last_error.startswith("HTTP 422") and "email" in item.last_error
    assert item.payload["email"] == "not-an-email"  # kept for a person to fix
    assert client.flush(force=True).attempted == 0
    assert api.total_leads() == 0


@pytest.mark.integration
def test_wrong_token_is_retried_until_fixed(api, tmp_path):
    api.start()
    outbox = Outbox(tmp_path / "lead_outbox.db", base_delay=0.05, max_delay=0.1)
    wrong = ReferralClient(api.url, "wrong-token", outbox=outbox, fast_fail_seconds=0)
    assert wrong.submit_or_queue(make_lead(3)) == "queued"
    wrong.stop_retry_loop()
    assert outbox.pending()[0].last_error == "HTTP 401"
    fixed = ReferralClient(api.url, TOKEN, outbox=outbox)
    assert fixed.flush(force=True).delivered == 1
    assert api.total_leads() == 1


# --- pure outbox logic against a tiny stdlib server ------------------------------------------------------

class FakeApi:
    """Answers POST /api/leads from a script of status codes (then 201 for good)."""

    def __init__(self, statuses: list[int] | None = None):
        self.statuses = list(statuses or [])
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.lock:
                    fake.requests.append({"headers": dict(self.headers), "body": body})
                    status = fake.statuses.pop(0) if fake.statuses else 201
                    lead_id = len(fake.requests)
                payload = {"id": lead_id} if status < 300 else {"detail": "nope", "errors": [{"field": "email", "message": "bad"}]}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_api():
    servers = []

    def make(statuses=None):
        server = FakeApi(statuses)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def test_request_carries_token_and_idempotency_key(fake_api, tmp_path):
    api = fake_api()
    client = ReferralClient(api.url, "sekrit", outbox=Outbox(tmp_path / "o.db"))
    assert client.submit_or_queue(make_lead(1)) == "delivered"
    (request,) = api.requests
    assert request["headers"]["Authorization"] == "Bearer sekrit"
    assert request["headers"]["Idempotency-Key"] == "outbox-conv-0001"
    assert request["body"]["conversation_id"] == "outbox-conv-0001"


def test_5xx_is_retried_with_backoff_until_delivered_once(fake_api, tmp_path):
    api = fake_api([503, 500, 502])
    outbox = Outbox(tmp_path / "o.db", base_delay=0.05, max_delay=1, jitter=False)
    client = ReferralClient(api.url, TOKEN, outbox=outbox, fast_fail_seconds=0)
    assert client.submit_or_queue(make_lead(1)) == "queued"
    client.stop_retry_loop()
    item = outbox.pending()[0]
    assert (item.attempts, item.last_error) == (1, "HTTP 503")
    # Not due yet: a plain flush does nothing.
    assert client.flush().attempted == 0
    delays = []
    while outbox.counts()["delivered"] == 0:
        wait = outbox.next_due_in()
        delays.append(round(wait or 0, 2))
        time.sleep(wait or 0)
        client.flush()
    assert len(api.requests) == 4
    assert outbox.get(item.id).attempts == 4
    assert delays[0] <= 0.1 and delays[-1] >= 0.1  # exponential: 0.05, 0.1, 0.2
    assert {r["headers"]["Idempotency-Key"] for r in api.requests} == {"outbox-conv-0001"}


def test_backoff_doubles_up_to_the_cap(tmp_path):
    outbox = Outbox(tmp_path / "o.db", base_delay=1, max_delay=60, jitter=False)
    assert [outbox.backoff(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    jittered = Outbox(tmp_path / "o.db", base_delay=1, max_delay=60)
    assert all(2 <= jittered.backoff(3) <= 4 for _ in range(50))


def test_down_api_is_tried_once_per_pass_not_once_per_lead(fake_api, tmp_path):
    api = fake_api([503] * 1000)
    outbox = Outbox(tmp_path / "o.db", base_delay=10, max_delay=10)
    client = ReferralClient(api.url, TOKEN, outbox=outbox, fast_fail_seconds=60)
    assert [client.submit_or_queue(make_lead(i)) for i in range(20)] == ["queued"] * 20
    client.stop_retry_loop()
    assert len(api.requests) == 1  # the following leads skipped the immediate try
    client.flush(force=True)
    assert len(api.requests) == 2  # one failing attempt; the rest postponed untried
    assert outbox.counts()["pending"] == 20


def test_concurrent_flushers_send_each_lead_once(fake_api, tmp_path):
    api = fake_api()
    path = tmp_path / "o.db"
    seed = ReferralClient("http://127.0.0.1:9", TOKEN, outbox=Outbox(path), fast_fail_seconds=3600)
    for i in range(60):
        seed.outbox.enqueue(f"outbox-conv-{i:04d}", make_lead(i))
    workers = [ReferralClient(api.url, TOKEN, outbox=Outbox(path)) for _ in range(4)]
    threads = [threading.Thread(target=w.flush, kwargs={"force": True, "limit": 5}) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [r["headers"]["Idempotency-Key"] for r in api.requests]
    assert sorted(keys) == sorted(f"outbox-conv-{i:04d}" for i in range(60))
    assert Outbox(path).counts() == {"pending": 0, "delivered": 60, "rejected": 0}


def test_same_conversation_with_a_new_lead_is_not_silently_dropped(fake_api, tmp_path):
    api = fake_api([201, 409])
    client = ReferralClient(api.url, TOKEN, outbox=Outbox(tmp_path / "o.db"))
    assert client.submit_or_queue(make_lead(1)) == "delivered"
    changed = make_lead(1, summary="A different problem this time.")
    assert client.submit_or_queue(changed) == "queued"
    assert client.outbox.counts() == {"pending": 0, "delivered": 1, "rejected": 1}


def test_logs_hold_no_personal_data(fake_api, tmp_path, caplog):
    api = fake_api([503, 422])
    client = ReferralClient(api.url, TOKEN, outbox=Outbox(tmp_path / "o.db", base_delay=0.01), fast_fail_seconds=0)
    lead = make_lead(1, name="Ignatius Secretname", email="ignatius@example.com", summary="very private xyzzy")
    with caplog.at_level(logging.DEBUG):
        client.submit_or_queue(lead)
        client.stop_retry_loop()
        client.flush(force=True)
        ReferralClient("http://127.0.0.1:9", TOKEN, outbox=Outbox(tmp_path / "p.db"), fast_fail_seconds=0).submit_or_queue(lead)
    assert "not delivered" in caplog.text and "rejected" in caplog.text
    for secret in ("Ignatius", "ignatius@", "xyzzy", "Secretname"):
        assert secret not in caplog.text


def test_module_level_helpers_use_the_environment(fake_api, tmp_path, monkeypatch):
    api = fake_api()
    monkeypatch.setenv("REFERRAL_API_URL", api.url)
    monkeypatch.setenv("SERVICE_TOKEN", "env-token")
    monkeypatch.setenv("LEAD_OUTBOX_PATH", str(tmp_path / "env_outbox.db"))
    module = clients.referral_api
    monkeypatch.setattr(module, "_default", None)
    assert module.submit_or_queue(make_lead(5)) == "delivered"
    assert api.requests[0]["headers"]["Authorization"] == "Bearer env-token"
    assert (tmp_path / "env_outbox.db").exists()
    assert module.flush().attempted == 0
    loop = module.start_retry_loop(interval=0.05)
    assert loop.running
    module.default_client().stop_retry_loop()


def test_lead_without_conversation_id_is_refused(tmp_path):
    client = ReferralClient("http://127.0.0.1:9", TOKEN, outbox=Outbox(tmp_path / "o.db"))
    with pytest.raises(ValueError, match="conversation_id"):
        client.submit_or_queue({"name": "x"})
