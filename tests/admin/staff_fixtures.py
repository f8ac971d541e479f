"""Staff users and signed-in clients, shared by the admin panel and NLU inbox tests.

Both conftests import these fixtures; each provides its own `app` and `session` fixtures, which these use.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from admin_helpers import PASSWORD, add_user, login
from fastapi.testclient import TestClient


@pytest.fixture
def tracker(app):
    return app.state.tracker_engine


@pytest.fixture
def admin_user(session):
    return add_user(session, role="admin", email="admin@staff.example.org")


@pytest.fixture
def reviewer_user(session):
    return add_user(session, role="reviewer", email="reviewer@staff.example.org")


def _client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=True, follow_redirects=False)


@pytest.fixture
def anon(app) -> Iterator[TestClient]:
    with _client(app) as client:
        yield client


def _signed_in(app, user) -> Iterator[TestClient]:
    with _client(app) as client:
        response = login(client, user.email, PASSWORD)
        assert response.status_code == 303, response.text
        yield client


@pytest.fixture
def admin_client(app, admin_user) -> Iterator[TestClient]:
    yield from _signed_in(app, admin_user)


@pytest.fixture
def reviewer_client(app, reviewer_user) -> Iterator[TestClient]:
    yield from _signed_in(app, reviewer_user)
