"""Fixtures of the admin panel tests.

The app database is built once by the Alembic migrations (SQLite, and PostgreSQL too when
TEST_POSTGRES_URL is set); each test runs inside a transaction that is rolled back (the session
joins it with savepoints), as in tests/handoff. The tracker store is a fresh SQLite file per test
with Rasa's `events` table.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from admin_helpers import (  # also puts the repo on sys.path
    FAST_HASHER,
    POSTGRES_SKIP,
    RecordingNotifier,
    make_settings,
    new_app_database,
    new_postgres_database,
)
from sqlalchemy.orm import Session

from handoff.conversations.repository import ensure_events_table
from handoff.deps import get_notifier, get_session
from handoff.main import create_app
from staff_fixtures import admin_client, admin_user, anon, reviewer_client, reviewer_user, tracker  # noqa: F401


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    monkeypatch.setattr("handoff.auth.passwords._hasher", FAST_HASHER)
    monkeypatch.setattr("handoff.auth.passwords._dummy_hash", None)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path_factory):
    if request.param == "postgres":
        created = new_postgres_database()
        if created is None:
            pytest.skip(POSTGRES_SKIP)
        engine, drop = created
        yield engine
        drop()
        return
    _url, engine = new_app_database(tmp_path_factory.mktemp("admin-db"), savepoints=True)
    yield engine
    engine.dispose()


@pytest.fixture
def session(database) -> Iterator[Session]:
    connection = database.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def app(settings, session, notifier):
    app = create_app(settings)
    ensure_events_table(app.state.tracker_engine)
    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[get_notifier] = lambda: notifier
    yield app
    app.state.tracker_engine.dispose()
