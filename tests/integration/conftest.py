"""Starts the real product (action server, Rasa, app) as processes on spare ports, once per session."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from scripts.stack import Stack, current_model  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    model = current_model(REPO / "var" / "models")
    database_url = f"sqlite:///{var / 'legalaid.db'}"
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "handoff/alembic.ini", "upgrade", "head"], cwd=REPO, env=env, check=True
    )
    subprocess.run([sys.executable, "-m", "handoff.cli", "seed"], cwd=REPO, env=env, check=True)
    running = Stack(
        rasa_port=free_port(), actions_port=free_port(), app_port=free_port(), var_dir=var, model=model,
        log_dir=var / "logs",
        extra_env={"DATABASE_URL": database_url, "TRACKER_DATABASE_URL": f"sqlite:///{var / 'tracker.db'}",
                   "NOTIFIER": "file", "MAIL_OUTBOX_PATH": str(var / "mail.log")},
    )
    try:
        running.start(timeout=300)
    except Exception:
        for log in sorted((var / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-4000:]}")
        raise
    yield running
    running.stop()


@pytest.fixture
def app_client(stack):
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.app_port}", timeout=60) as client:
        yield client


@pytest.fixture
def service_headers(stack):
    return {"Authorization": f"Bearer {stack.env()['SERVICE_TOKEN']}"}
