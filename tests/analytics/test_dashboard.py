"""/admin/dashboard: the report's figures and charts in the admin panel (reviewer role)."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from handoff.auth.service import create_user
from handoff.main import create_app
from handoff.settings import Settings

SECRET = "analytics-dashboard-test-secret-key-0123456789"
PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
COSTS = "lead_value=100&lead_rate=0.2&wrong_answer_cost=40&needless_referral_cost=20&containment_value=10"


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    from analytics_fixture import build_databases

    app_url, tracker_url, app_engine, tracker_engine = build_databases(tmp_path_factory.mktemp("dashboard"))
    with Session(app_engine) as session:
        create_user(session, email="reviewer@staff.example.org", password=PASSWORD, role="reviewer")
    yield app_url, tracker_url
    app_engine.dispose()
    tracker_engine.dispose()


@pytest.fixture
def client(databases, tmp_path):
    app_url, tracker_url = databases  # the reviewed labels are the fixture's NLU inbox rows
    settings = Settings(_env_file=None, database_url=app_url, tracker_database_url=tracker_url, secret_key=SECRET,
                        service_token="test-service-token-0123456789", mail_outbox_path=tmp_path / "outbox.log",
                        login_rate_limit="1000/minute", admin_email="", admin_password="")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def sign_in(client: TestClient) -> None:
    page = client.get("/admin/login")
    token = CSRF_RE.search(page.text).group(1)
    response = client.post("/admin/login", data={"email": "reviewer@staff.example.org", "password": PASSWORD,
                                                 "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get("/admin/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login?next=/admin/dashboard")


def test_dashboard_shows_the_report_figures(client):
    sign_in(client)
    response = client.get(f"/admin/dashboard?{COSTS}&baseline_weeks=1&min_messages=3")
    assert response.status_code == 200
    html = response.text
    # Side by side: business and model.
    assert re.search(r"Containment</th><td class=\"num\">40.0%</td><th scope=\"row\">Accuracy</th><td class=\"num\">66.7%", html)
    assert "Recommended threshold: 0.61</strong>" in html
    assert "+13.33 per message" in html
    # Every chart inline as SVG (no image requests, CSP-safe), labelled for screen readers.
    assert html.count("<svg") == 11
    assert 'role="img" aria-label="Threshold advisor"' in html
    # Drift flags with the form's bounds.
    assert html.count("topic_mix") == 2
    # The form keeps what was typed.
    assert 'name="lead_value" type="number"' in html and 'value="100"' in html
    assert "Test Person" not in html and "example.com" not in html.replace("staff.example.org", "")


def test_invalid_inputs_fall_back_to_defaults(client):
    sign_in(client)
    response = client.get("/admin/dashboard?lead_rate=7&since=yesterday")
    assert response.status_code == 200
    assert 'id="e-lead_rate"' in response.text and 'id="e-since"' in response.text
    assert "Some values were not valid" in response.text
    assert "<svg" in response.text


def test_period_filter(client):
    sign_in(client)
    html = client.get("/admin/dashboard?since=2026-11-09&until=2026-11-16").text
    assert re.search(r"Conversations</th><td class=\"num\">3</td>", html)


def test_empty_tracker(tmp_path):
    from analytics_fixture import build_databases

    app_url, _, app_engine, tracker_engine = build_databases(tmp_path)
    with Session(app_engine) as session:
        create_user(session, email="reviewer@staff.example.org", password=PASSWORD, role="reviewer")
    settings = Settings(_env_file=None, database_url=app_url, tracker_database_url=f"sqlite:///{tmp_path / 'none.db'}",
                        secret_key=SECRET, mail_outbox_path=tmp_path / "outbox.log", login_rate_limit="1000/minute",
                        admin_email="", admin_password="")
    with TestClient(create_app(settings)) as client:
        sign_in(client)
        response = client.get("/admin/dashboard")
    app_engine.dispose()
    tracker_engine.dispose()
    assert response.status_code == 200
    assert "no conversations yet" in response.text
