"""Helpers of the referral-service tests: databases, fake notifiers, request bodies, lawyers."""
from __future__ import annotations

import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # the app package, whatever the venv's editable install says
    sys.path.insert(0, str(REPO_ROOT))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, event, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from handoff.db import make_engine  # noqa: E402
from handoff.lawyers.models import Lawyer  # noqa: E402
from handoff.notifications.base import Message  # noqa: E402
from handoff.settings import Settings  # noqa: E402

ALEMBIC_INI = REPO_ROOT / "handoff" / "alembic.ini"
TOKEN = "test-service-token-0123456789"
POSTGRES_SKIP = (
    "TEST_POSTGRES_URL is not set: PostgreSQL variant skipped. Run scripts/start_test_postgres.sh and "
    "export TEST_POSTGRES_URL=postgresql+psycopg://legalaid:legalaid@127.0.0.1:5432/legalaid_test"
)


# --- databases ----------------------------------------------------------------------------------

def alembic_config(connection=None, url: str | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["skip_logging_config"] = True  # keep pytest's log capture intact
    if connection is not None:
        config.attributes["connection"] = connection
    if url is not None:
        config.attributes["url"] = url
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def _sqlite_real_savepoints(engine: Engine) -> None:
    """pysqlite starts transactions lazily, which breaks SAVEPOINT-based test isolation; take over
    BEGIN ourselves (the SQLAlchemy-documented recipe)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


class Database:
    """A migrated, empty database: `url` for apps, `engine` for direct use."""

    def __init__(self, kind: str, url: str, engine: Engine, cleanup):
        self.kind = kind
        self.url = url
        self.engine = engine
        self._cleanup = cleanup

    def close(self) -> None:
        self.engine.dispose()
        self._cleanup()


def postgres_base_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL") or None


def new_database(kind: str, tmp_dir: Path, *, savepoint_recipe: bool = False) -> Database:
    """A fresh database: a SQLite file, or a PostgreSQL schema of its own (so parallel runs and
    other suites using the same test database never collide)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex[:8]}.db'}"
        engine = make_engine(url)
        if savepoint_recipe:
            _sqlite_real_savepoints(engine)
        migrate(engine)
        return Database(kind, url, engine, lambda: None)

    base = postgres_base_url()
    if base is None:
        pytest.skip(POSTGRES_SKIP)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    engine = make_engine(url)
    migrate(engine)

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return Database(kind, url, engine, drop)


# --- notifications --------------------------------------------------------------------------------

class RecordingNotifier:
    """Records messages instead of sending them: no real person is ever contacted by a test."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> None:
        self.messages.append(message)


class FailingNotifier:
    def __init__(self) -> None:
        self.attempts = 0

    def send(self, message: Message) -> None:
        self.attempts += 1
        raise ConnectionRefusedError("smtp down")


# --- the app ------------------------------------------------------------------------------------

def make_settings(tmp_path: Path, **overrides) -> Settings:
    values = {
        "database_url": f"sqlite:///{tmp_path / 'app-unused.db'}",
        "service_token": TOKEN,
        "mail_outbox_path": tmp_path / "outbox_mail.log",
        "notifier": "file",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


# --- data helpers -----------------------------------------------------------------------------------

def lead_body(**overrides) -> dict:
    body = {
        "conversation_id": f"conv-{uuid.uuid4().hex[:10]}",
        "topic": "housing",
        "nlu_confidence": 0.41,
        "handoff_reason": "low_confidence",
        "name": "Pat Example",
        "email": "pat@example.com",
        "phone": "(212) 555-0142",
        "state": "NY",
        "preferred_contact": "email",
        "urgency": "normal",
        "summary": "My landlord wants to evict me next week.",
        "opposing_party": "Example Properties LLC",
        "consent_version": "2024-05",
        "consent_at": datetime(2024, 5, 1, 12, 0, tzinfo=UTC).isoformat(),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def post_lead(client: TestClient, body: dict | None = None, *, key: str | None = None, **overrides):
    body = body if body is not None else lead_body(**overrides)
    return client.post("/api/leads", json=body, headers={"Idempotency-Key": key or body["conversation_id"]})


_counter = iter(range(1, 10**9))


def add_lawyer(session: Session, *, topics=("housing",), states=("NY",), capacity: int = 10, active: bool = True,
               is_legal_aid: bool = False, name: str | None = None, last_assigned_at=None) -> Lawyer:
    number = next(_counter)
    lawyer = Lawyer(
        name=name or f"Lawyer {number} Fictional",
        firm="Fictional Firm LLP",
        email=f"lawyer{number}-{uuid.uuid4().hex[:6]}@example.com",
        phone=f"+12125550{number % 100:03d}",
        languages=["English"],
        reduced_fee=False,
        is_legal_aid=is_legal_aid,
        capacity=capacity,
        active=active,
        last_assigned_at=last_assigned_at,
    )
    lawyer.practice_areas = list(topics)
    lawyer.states = list(states)
    session.add(lawyer)
    session.commit()
    return lawyer
