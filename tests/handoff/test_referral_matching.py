"""Matching: topic + state, ZIP → state, rotation, capacity, legal-aid fallback, reassignment."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from referral_helpers import add_lawyer, lead_body, post_lead

from handoff.leads import service
from handoff.leads.geo import ZIP_PREFIX_TO_STATE, state_for_zip
from handoff.leads.models import Lead
from handoff.service_errors import Conflict


def test_matches_topic_and_state(client, session):
    add_lawyer(session, topics=["housing"], states=["CA"])  # wrong state
    add_lawyer(session, topics=["family"], states=["NY"])  # wrong topic
    right = add_lawyer(session, topics=["family", "housing"], states=["NJ", "NY"])
    lead = post_lead(client, topic="housing", state="NY").json()
    assert lead["lawyer_id"] == right.id
    assert (lead["status"], lead["queue"]) == ("assigned", "panel")


def test_zip_maps_to_state(client, session):
    ca = add_lawyer(session, topics=["housing"], states=["CA"])
    add_lawyer(session, topics=["housing"], states=["NY"])
    body = lead_body(topic="housing", state=None, zip="94105")
    lead = post_lead(client, body).json()
    assert lead["state"] == "CA"
    assert lead["lawyer_id"] == ca.id


def test_unknown_zip_prefix_matches_on_topic_only(client, session):
    assert state_for_zip("00001") is None
    anywhere = add_lawyer(session, topics=["traffic"], states=["WY"])
    lead = post_lead(client, lead_body(topic="traffic", state=None, zip="00001")).json()
    assert lead["state"] is None
    assert lead["lawyer_id"] == anywhere.id
    assert lead["history"][1]["reason"] == "matched on topic"


@pytest.mark.parametrize(
    ("zip_code", "state"),
    [("10001", "NY"), ("94105", "CA"), ("60601", "IL"), ("73301", "TX"), ("77001", "TX"), ("33101", "FL"),
     ("02108", "MA"), ("20001", "DC"), ("98101", "WA"), ("99501", "AK"), ("96813", "HI"), ("00901", "PR"),
     ("85001", "AZ"), ("30301", "GA"), ("48201", "MI"), ("09001", None), ("96201", None)],
)
def test_zip_prefix_table(zip_code, state):
    assert state_for_zip(zip_code) == state


def test_zip_prefix_table_covers_every_state():
    assert len(ZIP_PREFIX_TO_STATE) > 850
    assert set(ZIP_PREFIX_TO_STATE.values()) >= {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
        "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
        "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    }


def test_fair_rotation_least_recently_assigned_first_tie_by_id(client, session):
    lawyers = [add_lawyer(session, topics=["housing"], states=["NY"], capacity=100) for _ in range(3)]
    ids = [lawyer.id for lawyer in lawyers]
    assigned = [post_lead(client).json()["lawyer_id"] for _ in range(9)]
    # Nobody assigned yet → by id; afterwards strictly round-robin.
    assert assigned == ids * 3
    assert Counter(assigned) == {i: 3 for i in ids}


def test_rotation_prefers_never_assigned_then_oldest(client, session):
    now = datetime.now(UTC)
    recent = add_lawyer(session, last_assigned_at=now - timedelta(minutes=1))
    older = add_lawyer(session, last_assigned_at=now - timedelta(days=2))
    never = add_lawyer(session)
    order = [post_lead(client).json()["lawyer_id"] for _ in range(3)]
    assert order == [never.id, older.id, recent.id]


def test_capacity_is_respected(client, session, notifier):
    small = add_lawyer(session, capacity=1)
    big = add_lawyer(session, capacity=2)
    results = [post_lead(client).json() for _ in range(4)]
    assert [r["lawyer_id"] for r in results] == [small.id, big.id, big.id, None]
    assert (results[3]["status"], results[3]["queue"]) == ("new", "legal_aid")
    # Finishing a lead frees a place.
    service.change_status(session, lead_id=results[0]["id"], new_status="closed", actor="staff:alice")
    assert post_lead(client).json()["lawyer_id"] == small.id


def test_zero_capacity_and_inactive_lawyers_get_nothing(client, session):
    add_lawyer(session, capacity=0)
    add_lawyer(session, active=False)
    lead = post_lead(client).json()
    assert lead["lawyer_id"] is None and lead["queue"] == "legal_aid"


def test_no_match_goes_to_legal_aid_queue_never_dropped(client, session, notifier):
    legal_aid = add_lawyer(session, topics=["immigration"], states=["NY"], is_legal_aid=True, capacity=1000)
    response = post_lead(client, topic="immigration", state="NY")
    assert response.status_code == 201
    lead = response.json()
    assert (lead["status"], lead["queue"], lead["lawyer_id"]) == ("new", "legal_aid", None)
    assert [h["event"] for h in lead["history"]] == ["created"]
    assert notifier.messages == []
    stored = session.get(Lead, lead["id"])
    assert stored is not None and stored.name == "Pat Example"
    # Staff hand it to the legal-aid organisation: it stays in the legal_aid queue.
    assigned = service.assign_lead(session, lead_id=lead["id"], lawyer_id=legal_aid.id, actor="staff:alice")
    assert (assigned.status, assigned.queue, assigned.lawyer_id) == ("assigned", "legal_aid", legal_aid.id)


def test_reassign(client, session):
    first = add_lawyer(session)
    second = add_lawyer(session, topics=["family"], states=["CA"])
    lead = post_lead(client).json()
    assert lead["lawyer_id"] == first.id
    service.change_status(session, lead_id=lead["id"], new_status="contacted", actor="staff:alice")
    updated = service.assign_lead(session, lead_id=lead["id"], lawyer_id=second.id, actor="staff:alice", reason="conflict")
    assert updated.lawyer_id == second.id
    assert updated.status == "assigned"
    last = updated.history[-1]
    assert (last.event, last.from_status, last.to_status, last.actor, last.reason) == (
        "reassigned", "contacted", "assigned", "staff:alice", "conflict")
    with pytest.raises(Conflict, match="already assigned"):
        service.assign_lead(session, lead_id=lead["id"], lawyer_id=second.id, actor="staff:alice")


def test_reassign_checks_capacity_activity_and_open_leads(client, session):
    full = add_lawyer(session, capacity=0)
    gone = add_lawyer(session, active=False)
    lead = post_lead(client).json()
    with pytest.raises(Conflict, match="capacity"):
        service.assign_lead(session, lead_id=lead["id"], lawyer_id=full.id, actor="staff:alice")
    assert service.assign_lead(session, lead_id=lead["id"], lawyer_id=full.id, actor="staff:alice",
                               respect_capacity=False).lawyer_id == full.id
    with pytest.raises(Conflict, match="inactive"):
        service.assign_lead(session, lead_id=lead["id"], lawyer_id=gone.id, actor="staff:alice")
    service.change_status(session, lead_id=lead["id"], new_status="closed", actor="staff:alice")
    other = add_lawyer(session)
    with pytest.raises(Conflict, match="finished"):
        service.assign_lead(session, lead_id=lead["id"], lawyer_id=other.id, actor="staff:alice")


def test_rematch_after_panel_grows(client, session):
    lead = post_lead(client, topic="education", state="OR").json()
    assert lead["queue"] == "legal_aid"
    assert service.rematch_lead(session, lead_id=lead["id"], actor="staff:bob").lawyer_id is None
    lawyer = add_lawyer(session, topics=["education"], states=["OR"])
    rematched = service.rematch_lead(session, lead_id=lead["id"], actor="staff:bob")
    assert (rematched.lawyer_id, rematched.status, rematched.queue) == (lawyer.id, "assigned", "panel")
    with pytest.raises(Conflict):
        service.rematch_lead(session, lead_id=lead["id"], actor="staff:bob")
