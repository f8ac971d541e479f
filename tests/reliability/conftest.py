"""Reliability tests: hostile input, rate limits, faults, secrets and pins.

Most tests run in-process against the app (FastAPI TestClient) with Rasa replaced by `RasaDouble`,
a tiny HTTP server on 127.0.0.1 that speaks Rasa's HTTP contract (REST channel, /model/parse,
tracker) and echoes. Tests marked `integration` start the real product (action server, Rasa, app)
on free ports with a temporary var dir, once per session (`real_stack`), and stop it.
"""
from __future__ import annotations

import json
import os
import signal
from contextlib import contextmanager
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from handoff.main import create_app  # noqa: E402
from handoff.settings import Settings  # noqa: E402

RASA_TOKEN = "rasa-test-token"
SERVICE_TOKEN = "service-test-token"
SECRET_KEY = "k" * 48


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a stand-in for Rasa's HTTP API ----------------------------------------------------------------


class _RasaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Rasa (Sanic)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle + delayed ACK add 40 ms each.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, payload) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw or b"{}")

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        url = urlparse(self.path)
        self.server.requests += 1
        try:
            body = self._body()
        except ValueError:
            self._send(400, {"error": "bad json"})
            return
        if url.path == "/webhooks/rest/webhook":
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not isinstance(text, str):
                self._send(400, {"error": "sender and message must be strings"})
                return
            self.server.conversations.setdefault(sender, []).append(text)
            replies = [
                {"recipient_id": sender, "text": f"You said: {text[:300]}",
                 "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": text[:40], "payload": "/deny"}]},
                {"recipient_id": sender, "custom": {"kind": "answer", "links": [{"title": text[:20], "url": "https://example.org"}]}},
            ]
            self._send(200, replies)
        elif url.path == "/model/parse":
            if parse_qs(url.query).get("token") != [RASA_TOKEN]:
                self._send(401, {"error": "token"})
                return
            text = body.get("text")
            ranking = [{"name": "housing", "confidence": 0.7}, {"name": "consumer", "confidence": 0.2},
                       {"name": "greet", "confidence": 0.1}]
            self._send(200, {"text": text, "intent": ranking[0], "intent_ranking": ranking,
                             "triage": {"decision": "answer", "topic": "housing", "confidence": 0.7, "reason": None}})
        else:
            self._send(404, {"error": "not found"})

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        if url.path.startswith("/conversations/") and url.path.endswith("/tracker"):
            sender = url.path.split("/")[2]
            events = [{"event": "user", "text": t, "timestamp": 1.0} for t in self.server.conversations.get(sender, [])]
            self._send(200, {"sender_id": sender, "events": events})
        elif url.path in ("/", "/status"):
            self._send(200, {"status": "ok"})
        else:
            self._send(404, {"error": "not found"})


class RasaDouble:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _RasaHandler)
        self.server.daemon_threads = True
        self.server.requests = 0
        self.server.conversations = {}
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def requests(self) -> int:
        return self.server.requests

    def __enter__(self) -> "RasaDouble":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def rasa_double():
    with RasaDouble() as double:
        yield double


def app_settings(tmp_path: Path, rasa_url: str, **overrides) -> Settings:
    values = dict(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        tracker_database_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        rasa_url=rasa_url,
        rasa_token=RASA_TOKEN,
        rasa_timeout_seconds=10,
        service_token=SERVICE_TOKEN,
        secret_key=SECRET_KEY,
        mail_outbox_path=tmp_path / "mail.log",
        chat_rate_limit="1000000/minute",
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_client(tmp_path, rasa_double):
    """make_client(**settings) -> a TestClient of a fresh app talking to the Rasa double."""
    clients = []

    def _make(client_address: tuple[str, int] = ("203.0.113.7", 50000), **overrides) -> TestClient:
        rasa_url = overrides.pop("rasa_url", rasa_double.url)
        app = create_app(app_settings(tmp_path, rasa_url, **overrides))
        client = TestClient(app, raise_server_exceptions=False, client=client_address)
        client.__enter__()
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.__exit__(None, None, None)


@contextmanager
def app_process(var: Path, rasa_url: str, **extra_env: str):
    """The app as a real uvicorn process on a free 127.0.0.1 port (temporary migrated database);
    yields its base URL and stops it afterwards."""
    database_url = f"sqlite:///{var / 'legalaid.db'}"
    migrate_and_seed(database_url)
    port = free_port()
    env = {
        **os.environ, "PYTHONPATH": str(REPO), "DATABASE_URL": database_url,
        "TRACKER_DATABASE_URL": f"sqlite:///{var / 'tracker.db'}", "RASA_URL": rasa_url,
        "RASA_TOKEN": RASA_TOKEN, "SERVICE_TOKEN": SERVICE_TOKEN, "SECRET_KEY": SECRET_KEY,
        "MAIL_OUTBOX_PATH": str(var / "mail.log"), "NOTIFIER": "file",
        "CHAT_RATE_LIMIT": "1000000/minute", "LOGIN_RATE_LIMIT": "1000000/minute", **extra_env,
    }
    log_path = var / "app.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(REPO / ".venv-app" / "bin" / "python"), "-m", "uvicorn", "handoff.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
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
                    raise RuntimeError("the app did not start:\n" + log_path.read_text()[-3000:])
                time.sleep(0.3)
            yield url
        finally:
            from scripts.stack import stop_process

            stop_process(process, grace=15)
            if "Traceback" in log_path.read_text(errors="replace"):
                print(log_path.read_text(errors="replace")[-5000:])


# --- the real product ----------------------------------------------------------------------------


def migrate_and_seed(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    app_py = str(REPO / ".venv-app" / "bin" / "python")
    for args in (["-m", "alembic", "-c", "handoff/alembic.ini", "upgrade", "head"], ["-m", "handoff.cli", "seed"]):
        subprocess.run([app_py, *args], cwd=REPO, env=env, check=True, capture_output=True)


@pytest.fixture(scope="session")
def real_stack(tmp_path_factory):
    """Action server, Rasa and the app on free ports, a temporary var dir, the trained model."""
    from scripts.stack import Stack, current_model

    class RestartableStack(Stack):
        """Remembers how each process was started, so one of them can be stopped and started again."""

        def _spawn(self, name, command, env):
            self.__dict__.setdefault("commands", {})[name] = (command, env)
            return super()._spawn(name, command, env)

        def stop_process(self, name: str, grace: float = 20) -> None:
            process = self.processes[name]
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

        def start_process(self, name: str, health_url: str, timeout: float = 300) -> None:
            from scripts.stack import wait_http

            command, env = self.commands[name]
            process = super()._spawn(name, command, env)
            wait_http(health_url, timeout=timeout, process=process, name=name)

    models = REPO / "var" / "models"
    if not (models / "current.json").exists():
        pytest.skip("no trained model (run `make model`)")
    var = tmp_path_factory.mktemp("reliability-var")
    database_url = f"sqlite:///{var / 'legalaid.db'}"
    migrate_and_seed(database_url)
    stack = RestartableStack(
        rasa_port=free_port(), actions_port=free_port(), app_port=free_port(), var_dir=var,
        model=current_model(models), log_dir=var / "logs",
        extra_env={
            "DATABASE_URL": database_url, "TRACKER_DATABASE_URL": f"sqlite:///{var / 'tracker.db'}",
            "NOTIFIER": "file", "MAIL_OUTBOX_PATH": str(var / "mail.log"),
            # These tests send bursts from one address; rate limiting has its own tests.
            "CHAT_RATE_LIMIT": "1000000/minute",
        },
    )
    try:
        stack.start(timeout=400)
    except Exception:
        for log in sorted((var / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        raise
    yield stack
    stack.stop()


@pytest.fixture
def real_client(real_stack):
    with httpx.Client(base_url=f"http://127.0.0.1:{real_stack.app_port}", timeout=60) as client:
        yield client


def wait_until(predicate, *, timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
