"""Fixtures of the referral-service tests.

Every test runs against SQLite and, when TEST_POSTGRES_URL is set, PostgreSQL too. The schema is
built once per database by the Alembic migrations; each test then runs inside a transaction
that is rolled back (the session joins it with savepoints), so tests never see each other's rows.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from referral_helpers import TOKEN, Database, RecordingNotifier, make_settings, new_database  # also puts the repo on sys.path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from handoff.deps import get_notifier, get_session
from handoff.main import create_app
from handoff.settings import Settings


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path_factory) -> Iterator[Database]:
    db = new_database(request.param, tmp_path_factory.mktemp(request.param), savepoint_recipe=True)
    yield db
    db.close()


@pytest.fixture
def committed_database(database, tmp_path) -> Iterator[Database]:
    """A separate fresh database whose commits are real (for concurrency tests)."""
    db = new_database(database.kind, tmp_path)
    yield db
    db.close()


@pytest.fixture
def session(database) -> Iterator[Session]:
    connection = database.engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app(settings, session, notifier):
    app = create_app(settings)
    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[get_notifier] = lambda: notifier
    return app


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=True) as test_client:
        test_client.headers["Authorization"] = f"Bearer {TOKEN}"
        yield test_client
