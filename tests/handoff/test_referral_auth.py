"""The referral API needs the service token; with none configured it refuses everything."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from referral_helpers import TOKEN, lead_body, make_settings

from handoff.deps import get_session
from handoff.leads.models import Lead
from handoff.main import create_app

ENDPOINTS = [
    ("post", "/api/leads"),
    ("get", "/api/leads"),
    ("get", "/api/leads/1"),
    ("patch", "/api/leads/1/status"),
    ("get", "/api/lawyers"),
    ("post", "/api/lawyers"),
    ("get", "/api/lawyers/1"),
    ("patch", "/api/lawyers/1"),
    ("get", "/api/lawyers/1/leads"),
]


def _call(client: TestClient, method: str, path: str, headers: dict):
    kwargs = {"headers": {"Idempotency-Key": "auth-test", **headers}}
    if method in ("post", "patch"):
        kwargs["json"] = lead_body() if path == "/api/leads" else {"status": "closed"}
    return getattr(client, method)(path, **kwargs)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"bearer {TOKEN[:-1]}"],
)
def test_missing_or_wrong_token_is_401(app, session, method, path, authorization):
    with TestClient(app) as client:
        headers = {} if authorization is None else {"Authorization": authorization}
        response = _call(client, method, path, headers)
    assert response.status_code == 401, response.text
    assert response.json()["detail"] == "missing or invalid service token"
    assert response.headers["www-authenticate"] == "Bearer"
    assert session.query(Lead).count() == 0


def test_right_token_passes(client):
    assert client.get("/api/leads").status_code == 200
    assert client.get("/api/lawyers").status_code == 200


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_unconfigured_token_refuses_everything(tmp_path, session, method, path):
    app = create_app(make_settings(tmp_path, service_token=""))
    app.dependency_overrides[get_session] = lambda: session
    with TestClient(app) as client:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": f"Bearer {TOKEN}"}):
            response = _call(client, method, path, headers)
            assert response.status_code == 503
            assert response.json()["detail"] == "service token not configured"
        # The rest of the app is unaffected.
        assert client.get("/api/health").status_code == 200
    assert session.query(Lead).count() == 0


def test_token_compared_in_constant_time():
    import inspect

    from handoff import service_auth

    assert "hmac.compare_digest" in inspect.getsource(service_auth.require_service_token)
