"""Bad input is refused with 422 and a message naming the field."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from referral_helpers import lead_body, post_lead

from handoff.leads.models import Lead

DROP = ...


def _errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["detail"].startswith("Invalid request")
    return {error["field"]: error["message"] for error in payload["errors"]}


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"email": "not-an-email"}, "email", "email"),
        ({"email": "pat@"}, "email", "email"),
        ({"phone": "2125550"}, "phone", "10 digits"),
        ({"phone": "call me maybe"}, "phone", "digits"),
        ({"phone": "(012) 555-0142"}, "phone", "area code"),
        ({"phone": "+44 2079 4609 5812 34"}, "phone", "8 to 15 digits"),
        ({"state": "ZZ"}, "state", "2-letter"),
        ({"state": "New York"}, "state", "2-letter"),
        ({"zip": "1234", "state": None}, "zip", "5 digits"),
        ({"zip": "12345-6789", "state": None}, "zip", "5 digits"),
        ({"summary": "x" * 2001}, "summary", "2000"),
        ({"name": "n" * 201}, "name", "200"),
        ({"name": ""}, "name", "at least 1"),
        ({"name": "Pat\x00Example"}, "name", "control"),
        ({"opposing_party": "o" * 201}, "opposing_party", "200"),
        ({"topic": "astrology"}, "topic", "housing"),
        ({"topic": DROP}, "topic", "required"),
        ({"handoff_reason": "boredom"}, "handoff_reason", "low_confidence"),
        ({"urgency": "whenever"}, "urgency", "emergency"),
        ({"preferred_contact": "pigeon"}, "preferred_contact", "email"),
        ({"nlu_confidence": 1.5}, "nlu_confidence", "less than or equal to 1"),
        ({"nlu_confidence": -0.1}, "nlu_confidence", "greater than or equal to 0"),
        ({"conversation_id": "has spaces"}, "conversation_id", "pattern"),
        ({"consent_version": DROP}, "consent_version", "required"),
        ({"consent_at": DROP}, "consent_at", "required"),
        ({"consent_at": "yesterday"}, "consent_at", "datetime"),
        ({"consent_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}, "consent_at", "future"),
        ({"favourite_colour": "blue"}, "favourite_colour", "Extra inputs"),
    ],
)
def test_field_errors(client, session, overrides, field, fragment):
    response = post_lead(client, lead_body(**overrides))
    errors = _errors(response)
    assert field in errors, errors
    assert fragment.lower() in errors[field].lower()
    assert session.query(Lead).count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"email": None, "phone": None}, "email", "at least one"),
        ({"email": "", "phone": ""}, "email", "at least one"),
        ({"state": None, "zip": None}, "state", "ZIP"),
        ({"email": None, "preferred_contact": "email"}, "preferred_contact", "no email"),
        ({"phone": None, "preferred_contact": "text"}, "preferred_contact", "no phone"),
    ],
)
def test_cross_field_errors(client, session, overrides, field, fragment):
    errors = _errors(post_lead(client, lead_body(**overrides)))
    assert fragment.lower() in errors[field].lower()
    assert session.query(Lead).count() == 0


def test_several_errors_reported_together(client):
    errors = _errors(post_lead(client, lead_body(email="x", phone="1", state="QQ", summary="s" * 3000)))
    assert {"email", "phone", "state", "summary"} <= set(errors)


def test_idempotency_key_required_and_checked(client, session):
    body = lead_body()
    missing = client.post("/api/leads", json=body)
    assert "Idempotency-Key" in _errors(missing)
    bad = client.post("/api/leads", json=body, headers={"Idempotency-Key": "no spaces allowed"})
    assert "Idempotency-Key" in _errors(bad)
    too_long = client.post("/api/leads", json=body, headers={"Idempotency-Key": "k" * 129})
    assert "Idempotency-Key" in _errors(too_long)
    assert session.query(Lead).count() == 0


def test_body_not_json(client):
    response = client.post("/api/leads", content=b"{not json", headers={"Idempotency-Key": "k1", "Content-Type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


def test_valid_variants_accepted(client):
    for overrides in (
        {"phone": "212.555.0142", "email": None, "preferred_contact": "text"},
        {"phone": "+1 (212) 555-0142"},
        {"phone": "+44 20 7946 0958"},
        {"state": "ca"},
        {"state": None, "zip": "94105"},
        {"nlu_confidence": None},
        {"summary": "line one\nline two\twith tab"},
        {"consent_at": "2024-05-01T12:00:00"},  # naive = UTC
    ):
        response = post_lead(client, lead_body(**overrides))
        assert response.status_code == 201, (overrides, response.text)


def test_status_change_validation(client):
    lead = post_lead(client).json()
    url = f"/api/leads/{lead['id']}/status"
    assert "status" in _errors(client.patch(url, json={"status": "won"}))
    assert "actor" in _errors(client.patch(url, json={"status": "closed", "actor": "Staff Alice!"}))
    assert "reason" in _errors(client.patch(url, json={"status": "closed", "reason": "r" * 501}))
    assert "status" in _errors(client.patch(url, json={}))


def test_lawyer_validation(client):
    good = {"name": "Casey Fictional", "email": "casey@example.com", "practice_areas": ["housing"], "states": ["NY"]}
    for overrides, field in (
        ({"email": "nope"}, "email"),
        ({"practice_areas": ["astrology"]}, "practice_areas.0"),
        ({"practice_areas": []}, "practice_areas"),
        ({"states": ["XX"]}, "states.0"),
        ({"states": []}, "states"),
        ({"capacity": -1}, "capacity"),
        ({"phone": "555"}, "phone"),
        ({"name": ""}, "name"),
    ):
        errors = _errors(client.post("/api/lawyers", json={**good, **overrides}))
        assert field in errors, (overrides, errors)
