"""Fixtures of the NLU inbox tests: the admin panel's fixtures (tests/admin/admin_helpers.py) with
a tracker store of logged messages and a retrain launcher that never trains a real model."""
from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "admin"))  # the admin engineer's helpers
sys.path.insert(0, str(HERE))

from admin_helpers import (  # noqa: E402
    RecordingNotifier,
    make_settings,
    new_app_database,
)
from sqlalchemy.orm import Session  # noqa: E402

from handoff.conversations.repository import ensure_events_table  # noqa: E402
from handoff.deps import get_notifier, get_session  # noqa: E402
from handoff.main import create_app  # noqa: E402
from handoff.nlu_inbox.jobs import RetrainService  # noqa: E402
from staff_fixtures import admin_client, admin_user, anon, reviewer_client, reviewer_user, tracker  # noqa: E402,F401


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    _url, engine = new_app_database(tmp_path_factory.mktemp("inbox-db"), savepoints=True)
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
def retrain_service(tmp_path) -> RetrainService:
    """Runs tests/nlu_inbox/fake_retrain.py (progress file like scripts/retrain.py, no training)."""
    fake = str(HERE / "fake_retrain.py")
    return RetrainService(
        state_dir=tmp_path / "retrain", models_dir=tmp_path / "models",
        command=[sys.executable, fake, "--state-dir", str(tmp_path / "retrain"), "--models-dir", str(tmp_path / "models")],
        env={"RASA_URL": "http://127.0.0.1:9"},  # nothing listens there: promotion never reaches a real Rasa
    )


@pytest.fixture
def app(tmp_path, session, retrain_service):
    app = create_app(make_settings(tmp_path))
    ensure_events_table(app.state.tracker_engine)
    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[get_notifier] = lambda: RecordingNotifier()
    app.state.nlu_retrain = retrain_service
    yield app
    app.state.tracker_engine.dispose()


@pytest.fixture
def now() -> float:
    return time.time()
