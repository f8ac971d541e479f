"""Helpers of the admin panel tests: databases, a tracker store with Rasa events, users, sign-in, rows."""
from __future__ import annotations

import json
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, event, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from handoff.auth.models import StaffUser  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from handoff.conversations.repository import ensure_events_table, events  # noqa: E402
from handoff.db import make_engine  # noqa: E402
from handoff.lawyers.models import Lawyer  # noqa: E402
from handoff.leads.models import Lead, LeadHistory  # noqa: E402
from handoff.notifications.base import Message  # noqa: E402
from handoff.settings import Settings  # noqa: E402

ALEMBIC_INI = REPO_ROOT / "handoff" / "alembic.ini"
SECRET = "test-secret-key-for-admin-sessions-0123456789"
PASSWORD = "correct horse battery staple"
# Argon2 is deliberately slow (about a second on a small machine): the tests swap in cheap
# parameters (fixture `fast_password_hashing`), and the test users share one hash.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD_HASH = FAST_HASHER.hash(PASSWORD)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- databases ----------------------------------------------------------------------------------

def alembic_config(connection) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["skip_logging_config"] = True
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def savepoint_recipe(engine: Engine) -> None:
    """pysqlite begins transactions lazily, which breaks SAVEPOINT-based isolation (SQLAlchemy's recipe)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def new_app_database(directory: Path, *, savepoints: bool = False) -> tuple[str, Engine]:
    url = f"sqlite:///{directory / f'app-{uuid.uuid4().hex[:8]}.db'}"
    engine = make_engine(url)
    if savepoints:
        savepoint_recipe(engine)
    migrate(engine)
    return url, engine


POSTGRES_SKIP = (
    "TEST_POSTGRES_URL is not set: PostgreSQL variant skipped. Run scripts/start_test_postgres.sh and "
    "export TEST_POSTGRES_URL=postgresql+psycopg://legalaid:legalaid@127.0.0.1:5432/legalaid_test"
)


def new_postgres_database() -> tuple[Engine, object] | None:
    """A migrated schema of its own in TEST_POSTGRES_URL's database; None when that is not set.
    Returns (engine, drop) where drop() removes the schema."""
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        return None
    schema = f"admin_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    engine = make_engine(f"{base}{separator}options={quote(f'-csearch_path={schema}')}")
    migrate(engine)

    def drop() -> None:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


def make_settings(tmp_path: Path, **overrides) -> Settings:
    values = {
        "database_url": f"sqlite:///{tmp_path / 'app-unused.db'}",
        "tracker_database_url": f"sqlite:///{tmp_path / 'tracker.db'}",
        "secret_key": SECRET,
        "service_token": "test-service-token-0123456789",
        "mail_outbox_path": tmp_path / "outbox_mail.log",
        "notifier": "file",
        "login_rate_limit": "1000/minute",
        "admin_email": "",
        "admin_password": "",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


class RecordingNotifier:
    """Records messages instead of sending them: no real person is ever contacted by a test."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> None:
        self.messages.append(message)


# --- tracker store (Rasa's events table) ----------------------------------------------------------

def user_event(text: str, *, topic: str | None = "housing", confidence: float = 0.82, decision: str = "answer",
               reason: str | None = None, runner_up: str = "consumer") -> dict:
    ranking = [{"name": topic, "confidence": confidence}] if topic else []
    if topic:
        ranking.append({"name": runner_up, "confidence": round((1 - confidence) / 2, 3)})
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "intent": {"name": topic or "out_of_scope", "confidence": confidence},
            "entities": [],
            "text": text,
            "intent_ranking": ranking,
            "triage": {"decision": decision, "topic": topic, "confidence": confidence, "reason": reason},
            "safety": {"level": "none", "categories": [], "high_stakes": []},
        },
        "input_channel": "rest",
        "message_id": uuid.uuid4().hex,
    }


def bot_event(text: str, buttons: list[dict] | None = None) -> dict:
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}, "metadata": {}}


def slot_event(name: str, value) -> dict:
    return {"event": "slot", "name": name, "value": value}


def add_events(engine: Engine, sender_id: str, items: list[dict], *, start: float | None = None) -> None:
    """Insert Rasa events as SQLTrackerStore stores them (one row per event, JSON in `data`)."""
    ensure_events_table(engine)
    timestamp = start if start is not None else time.time() - 600
    rows = []
    for item in items:
        timestamp += 7.5
        item = {**item, "timestamp": timestamp}
        rows.append({
            "sender_id": sender_id,
            "type_name": item["event"],
            "timestamp": timestamp,
            "intent_name": (item.get("parse_data") or {}).get("intent", {}).get("name"),
            "action_name": None,
            "data": json.dumps(item),
        })
    with engine.begin() as connection:
        connection.execute(events.insert(), rows)


def housing_conversation(engine: Engine, sender_id: str, *, start: float | None = None,
                         first_message: str = "My landlord wants to evict me next week, what can I do?") -> None:
    add_events(engine, sender_id, [
        {"event": "action", "name": "action_session_start"},
        user_event(first_message, topic="housing", confidence=0.91, decision="answer"),
        bot_event("Eviction needs a court order. Here is what to expect and how to respond to the notice.",
                  buttons=[{"title": "Talk to a lawyer", "payload": "/request_lawyer"}]),
        user_event("/request_lawyer", topic=None, confidence=1.0, decision="handoff", reason="user_request"),
        user_event("I also have a deposit dispute", topic="housing", confidence=0.44, decision="handoff",
                   reason="low_confidence"),
        slot_event("handoff_reason", "low_confidence"),
        bot_event("I can connect you with a lawyer. What is your name?"),
    ], start=start)


# --- rows ------------------------------------------------------------------------------------------

_counter = iter(range(1, 10**9))


def add_user(session: Session, *, role: str = "reviewer", email: str | None = None, active: bool = True) -> StaffUser:
    number = next(_counter)
    user = StaffUser(email=email or f"{role}{number}@staff.example.org", password_hash=PASSWORD_HASH, role=role,
                     active=active, session_version=1, created_at=datetime.now(UTC))
    session.add(user)
    session.commit()
    return user


def add_lawyer(session: Session, *, name: str | None = None, topics=("housing",), states=("NY",), capacity: int = 10,
               active: bool = True, is_legal_aid: bool = False) -> Lawyer:
    number = next(_counter)
    lawyer = Lawyer(name=name or f"Lawyer {number} Fictional", firm="Fictional Firm LLP",
                    email=f"lawyer{number}-{uuid.uuid4().hex[:6]}@example.com", phone="+12125550100",
                    languages=["English"], reduced_fee=False, is_legal_aid=is_legal_aid, capacity=capacity,
                    active=active)
    lawyer.practice_areas = list(topics)
    lawyer.states = list(states)
    session.add(lawyer)
    session.commit()
    return lawyer


def add_lead(session: Session, **overrides) -> Lead:
    number = next(_counter)
    values = dict(
        idempotency_key=f"conv-{uuid.uuid4().hex[:10]}",
        request_hash=None,
        topic="housing",
        nlu_confidence=0.41,
        handoff_reason="low_confidence",
        name=f"Pat Example {number}",
        email=f"pat{number}@example.com",
        phone="+12125550142",
        summary="My landlord wants to evict me next week.",
        opposing_party="Example Properties LLC",
        state="NY",
        zip=None,
        preferred_contact="email",
        urgency="normal",
        consent_version="2024-05",
        consent_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        status="new",
        queue="legal_aid",
        lawyer_id=None,
        created_at=datetime.now(UTC) - timedelta(hours=1),
    )
    values.update(overrides)
    values.setdefault("conversation_id", values["idempotency_key"])
    lawyer = values.pop("lawyer", None)
    lead = Lead(**values)
    if lawyer is not None:
        lead.lawyer = lawyer
        lead.lawyer_id = lawyer.id
        lead.queue = "panel"
        if lead.status == "new":
            lead.status = "assigned"
    lead.history.append(LeadHistory(event="created", to_status="new", actor="bot", at=lead.created_at))
    session.add(lead)
    session.commit()
    return lead


# --- signing in ----------------------------------------------------------------------------------

def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD, *, follow: bool = False):
    page = client.get("/admin/login")
    assert page.status_code == 200, page.text
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
                       follow_redirects=follow)


def signed_in_token(client: TestClient) -> str:
    """The CSRF token of the signed-in client's session (from a page that has a form)."""
    return csrf_from(client.get("/admin/account").text)
