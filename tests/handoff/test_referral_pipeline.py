"""The lead pipeline: valid and invalid transitions, reasons, days to close, history."""
from __future__ import annotations

from datetime import timedelta

import pytest
from referral_helpers import add_lawyer, post_lead

from handoff.leads import service
from handoff.leads.enums import TRANSITIONS, LeadStatus
from handoff.leads.models import Lead

FORWARD = ["contacted", "consultation_scheduled", "retained"]


@pytest.fixture
def assigned_lead(client, session) -> dict:
    add_lawyer(session, capacity=100)
    lead = post_lead(client).json()
    assert lead["status"] == "assigned"
    return lead


def _patch(client, lead_id, status, **extra):
    return client.patch(f"/api/leads/{lead_id}/status", json={"status": status, **extra})


def test_happy_path_to_retained(client, assigned_lead):
    lead_id = assigned_lead["id"]
    for status in FORWARD:
        response = _patch(client, lead_id, status, actor="staff:alice")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    final = client.get(f"/api/leads/{lead_id}").json()
    assert final["closed_at"] is not None
    assert final["days_to_close"] is not None and final["days_to_close"] >= 0
    changes = [(h["from_status"], h["to_status"], h["actor"]) for h in final["history"] if h["event"] == "status"]
    assert changes == [
        ("assigned", "contacted", "staff:alice"),
        ("contacted", "consultation_scheduled", "staff:alice"),
        ("consultation_scheduled", "retained", "staff:alice"),
    ]
    assert all(h["at"] for h in final["history"])


def test_not_retained_requires_reason(client, assigned_lead):
    lead_id = assigned_lead["id"]
    _patch(client, lead_id, "contacted")
    _patch(client, lead_id, "consultation_scheduled")
    missing = _patch(client, lead_id, "not_retained")
    assert missing.status_code == 422
    assert missing.json()["errors"] == [
        {"field": "reason", "message": "a reason is required when the person did not retain the lawyer"}
    ]
    assert _patch(client, lead_id, "not_retained", reason="   ").status_code == 422
    done = _patch(client, lead_id, "not_retained", reason="fee too high", actor="staff:bob")
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["lost_reason"]) == ("not_retained", "fee too high")
    assert body["history"][-1]["reason"] == "fee too high"


@pytest.mark.parametrize("steps", [[], ["contacted"], ["contacted", "consultation_scheduled"]])
def test_closed_from_any_open_state(client, assigned_lead, steps):
    for status in steps:
        assert _patch(client, assigned_lead["id"], status).status_code == 200
    response = _patch(client, assigned_lead["id"], "closed", reason="person stopped answering")
    assert response.status_code == 200
    assert response.json()["lost_reason"] == "person stopped answering"


def test_closed_from_new(client, session):
    lead = post_lead(client).json()  # no lawyer → new
    assert lead["status"] == "new"
    assert _patch(client, lead["id"], "closed").status_code == 200


def test_new_cannot_become_assigned_without_lawyer(client, session):
    lead = post_lead(client).json()
    response = _patch(client, lead["id"], "assigned")
    assert response.status_code == 409
    assert "no lawyer" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "consultation_scheduled"),
        ([], "retained"),
        ([], "not_retained"),
        ([], "new"),
        (["contacted"], "retained"),
        (["contacted"], "assigned"),
        (["contacted", "consultation_scheduled"], "contacted"),
        (["contacted", "consultation_scheduled", "retained"], "closed"),
        (["contacted", "consultation_scheduled", "retained"], "contacted"),
        (["closed"], "assigned"),
    ],
)
def test_invalid_transitions_are_409(client, assigned_lead, path, target):
    for status in path:
        assert _patch(client, assigned_lead["id"], status).status_code == 200
    before = client.get(f"/api/leads/{assigned_lead['id']}").json()
    response = _patch(client, assigned_lead["id"], target, reason="because")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert f"to {target}" in detail and "cannot change status" in detail
    after = client.get(f"/api/leads/{assigned_lead['id']}").json()
    assert after["status"] == before["status"] and len(after["history"]) == len(before["history"])


def test_same_status_is_409(client, assigned_lead):
    response = _patch(client, assigned_lead["id"], "assigned")
    assert response.status_code == 409
    assert "already assigned" in response.json()["detail"]


def test_unknown_lead_is_404(client):
    assert _patch(client, 424242, "closed").status_code == 404


def test_transition_table_shape():
    terminal = {LeadStatus.retained, LeadStatus.not_retained, LeadStatus.closed}
    for status, allowed in TRANSITIONS.items():
        if status in terminal:
            assert allowed == frozenset()
        else:
            assert LeadStatus.closed in allowed


def test_days_to_close(client, session, assigned_lead):
    lead = session.get(Lead, assigned_lead["id"])
    lead.created_at = lead.created_at - timedelta(days=3, hours=12)
    session.commit()
    closed = service.change_status(session, lead_id=lead.id, new_status="closed", actor="staff:alice")
    assert closed.days_to_close == pytest.approx(3.5, abs=0.01)
    assert client.get(f"/api/leads/{lead.id}").json()["days_to_close"] == pytest.approx(3.5, abs=0.01)


def test_service_change_status_records_actor(session, client, assigned_lead):
    lead = service.change_status(session, lead_id=assigned_lead["id"], new_status="contacted", actor="staff:carol")
    entry = lead.history[-1]
    assert (entry.event, entry.from_status, entry.to_status, entry.actor) == ("status", "assigned", "contacted", "staff:carol")
    assert entry.at is not None and entry.at.tzinfo is not None
