"""Service functions the admin panel uses: listing, notes, erasure, lawyers CRUD, demo seed."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from referral_helpers import add_lawyer, lead_body, post_lead

from handoff.lawyers import service as lawyers
from handoff.lawyers.models import Lawyer
from handoff.lawyers.schemas import LawyerCreate, LawyerUpdate
from handoff.lawyers.seed import demo_lawyers, seed_demo_lawyers
from handoff.leads import service
from handoff.leads.enums import Topic
from handoff.leads.models import Lead
from handoff.leads.schemas import LeadCreate
from handoff.service_errors import Conflict, InvalidInput, NotFound


def _create(session, key: str | None = None, **overrides) -> Lead:
    body = lead_body(**overrides)
    lead, created = service.create_lead(session, data=LeadCreate.model_validate(body),
                                        idempotency_key=key or body["conversation_id"])
    assert created
    return lead


# --- delete_person_data --------------------------------------------------------------------------

def test_delete_person_data(client, session, caplog):
    add_lawyer(session)
    lead = _create(session, name="Quentin Private", email="quentin@example.com", summary="Private matter xyzzy",
                   opposing_party="Evil Landlord Inc")
    service.add_note(session, lead_id=lead.id, author="staff:alice", text="Called Quentin at home")
    with caplog.at_level(logging.DEBUG):
        erased = service.delete_person_data(session, lead_id=lead.id, actor="staff:alice")
    assert erased.name == "[deleted]"
    assert erased.email is None and erased.phone is None
    assert erased.summary == "[deleted]"
    assert erased.opposing_party is None
    assert erased.notes[0].text == "[deleted]"
    assert erased.pii_deleted_at is not None
    entry = erased.history[-1]
    assert (entry.event, entry.actor) == ("pii_deleted", "staff:alice")
    # Statistics survive.
    assert (erased.topic, erased.status, erased.lawyer_id) == ("housing", "assigned", lead.lawyer_id)
    assert "Quentin" not in caplog.text and "xyzzy" not in caplog.text
    # Idempotent.
    again = service.delete_person_data(session, lead_id=lead.id, actor="staff:bob")
    assert [h.event for h in again.history].count("pii_deleted") == 1
    # And visible through the API.
    body = client.get(f"/api/leads/{lead.id}").json()
    assert body["name"] == "[deleted]" and body["email"] is None and body["pii_deleted_at"]


def test_replay_after_erasure_is_conflict_not_resurrection(client, session):
    body = lead_body()
    created = post_lead(client, body).json()
    service.delete_person_data(session, lead_id=created["id"], actor="staff:alice")
    response = post_lead(client, body)
    assert response.status_code == 409
    assert session.get(Lead, created["id"]).name == "[deleted]"


def test_delete_unknown_lead(session):
    with pytest.raises(NotFound):
        service.delete_person_data(session, lead_id=987654, actor="staff:alice")


# --- notes ----------------------------------------------------------------------------------------

def test_add_note(session):
    lead = _create(session)
    note = service.add_note(session, lead_id=lead.id, author="staff:alice", text="  Left a voicemail.  ")
    assert (note.author, note.text) == ("staff:alice", "Left a voicemail.")
    assert note.created_at.tzinfo is not None
    service.add_note(session, lead_id=lead.id, author="staff:bob", text="Second")
    assert [n.text for n in service.get_lead(session, lead_id=lead.id).notes] == ["Left a voicemail.", "Second"]
    with pytest.raises(InvalidInput):
        service.add_note(session, lead_id=lead.id, author="staff:alice", text="   ")
    with pytest.raises(InvalidInput):
        service.add_note(session, lead_id=lead.id, author="staff:alice", text="x" * 5001)
    with pytest.raises(NotFound):
        service.add_note(session, lead_id=999999, author="staff:alice", text="hi")


# --- list_leads -----------------------------------------------------------------------------------

def test_list_leads_filters_search_sort_and_pages(session):
    lawyer = add_lawyer(session, topics=["crime"], states=["TX"], capacity=100)
    a = _create(session, topic="crime", state="TX", name="Alice Smith", urgency="low")
    b = _create(session, topic="crime", state="TX", name="Bob Jones", urgency="emergency", handoff_reason="guardrail")
    c = _create(session, topic="family", state="TX", name="Carla Smith", email="carla@example.org", urgency="high")
    c.created_at = datetime(2024, 3, 10, tzinfo=UTC)
    session.commit()
    service.change_status(session, lead_id=a.id, new_status="contacted", actor="staff:x")

    def ids(**kwargs) -> list[int]:
        return [lead.id for lead in service.list_leads(session, **kwargs).items]

    assert set(ids()) == {a.id, b.id, c.id}
    assert ids(status="contacted") == [a.id]
    assert set(ids(status=["contacted", "assigned"])) == {a.id, b.id}
    assert ids(topic="family") == [c.id]
    assert set(ids(lawyer_id=lawyer.id)) == {a.id, b.id}
    assert ids(reason="guardrail") == [b.id]
    assert ids(queue="legal_aid") == [c.id]
    assert set(ids(q="smith")) == {a.id, c.id}
    assert ids(q="CARLA@EXAMPLE") == [c.id]
    assert b.id in ids(q=str(b.id))  # a number also finds the lead id
    assert ids(q="100%_") == []  # LIKE wildcards are literal
    assert ids(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31)) == [c.id]
    assert set(ids(date_from=date(2024, 3, 11))) == {a.id, b.id}
    assert ids(sort="urgency") == [a.id, c.id, b.id]
    assert ids(sort="-urgency") == [b.id, c.id, a.id]
    assert ids(sort="created_at")[0] == c.id
    assert ids(sort="id") == sorted([a.id, b.id, c.id])
    page = service.list_leads(session, sort="id", page=2, per_page=2)
    assert (page.total, [lead.id for lead in page.items], page.page, page.per_page) == (3, [max(a.id, b.id, c.id)], 2, 2)
    with pytest.raises(InvalidInput):
        service.list_leads(session, sort="name")
    with pytest.raises(InvalidInput):
        service.list_leads(session, per_page=101)


# --- lawyers -------------------------------------------------------------------------------------

def _lawyer_data(**overrides) -> LawyerCreate:
    values = {"name": "Riley Fictional", "firm": "Fictional Firm LLP", "email": "riley@example.com",
              "phone": "(312) 555-0123", "practice_areas": ["housing", "consumer"], "states": ["il", "IN"],
              "languages": ["English", "Polish"], "capacity": 2}
    values.update(overrides)
    return LawyerCreate.model_validate(values)


def test_lawyer_crud(session):
    lawyer = lawyers.create_lawyer(session, data=_lawyer_data())
    assert (lawyer.phone, lawyer.states, lawyer.practice_areas) == ("+13125550123", ["IL", "IN"], ["consumer", "housing"])
    with pytest.raises(Conflict):
        lawyers.create_lawyer(session, data=_lawyer_data(name="Other"))
    updated = lawyers.update_lawyer(session, lawyer_id=lawyer.id,
                                    data=LawyerUpdate(capacity=5, states=["IL"], practice_areas=["housing", "torts"]))
    assert (updated.capacity, updated.states, updated.practice_areas) == (5, ["IL"], ["housing", "torts"])
    assert updated.name == "Riley Fictional"  # untouched
    other = lawyers.create_lawyer(session, data=_lawyer_data(email="other@example.com"))
    with pytest.raises(Conflict):
        lawyers.update_lawyer(session, lawyer_id=other.id, data=LawyerUpdate(email="riley@example.com"))
    assert lawyers.deactivate_lawyer(session, lawyer_id=lawyer.id).active is False
    assert [x.id for x in lawyers.list_lawyers(session, active=True).items] == [other.id]
    with pytest.raises(NotFound):
        lawyers.get_lawyer(session, lawyer_id=123456)


def test_open_leads_per_lawyer(session):
    lawyer = add_lawyer(session, capacity=10)
    first, second = _create(session), _create(session)
    service.change_status(session, lead_id=second.id, new_status="closed", actor="staff:x")
    assert [lead.id for lead in lawyers.open_leads_for_lawyer(session, lawyer_id=lawyer.id)] == [first.id]
    assert lawyers.open_lead_counts(session, lawyer_ids=[lawyer.id]) == {lawyer.id: 1}


def test_deactivated_lawyer_is_not_matched(session):
    lawyer = add_lawyer(session)
    lawyers.deactivate_lawyer(session, lawyer_id=lawyer.id)
    assert _create(session).lawyer_id is None


def test_lawyers_api(client, session):
    payload = {"name": "Sawyer Fictional", "email": "sawyer@example.com", "practice_areas": ["torts"],
               "states": ["WA"], "capacity": 1}
    created = client.post("/api/lawyers", json=payload)
    assert created.status_code == 201, created.text
    lawyer = created.json()
    assert (lawyer["open_leads"], lawyer["active"], lawyer["languages"]) == (0, True, ["English"])
    assert client.post("/api/lawyers", json=payload).status_code == 409
    post_lead(client, topic="torts", state="WA")
    fetched = client.get(f"/api/lawyers/{lawyer['id']}").json()
    assert fetched["open_leads"] == 1 and fetched["last_assigned_at"]
    assert len(client.get(f"/api/lawyers/{lawyer['id']}/leads").json()) == 1
    listing = client.get("/api/lawyers", params={"topic": "torts", "state": "wa"}).json()
    assert [x["id"] for x in listing["items"]] == [lawyer["id"]]
    assert client.get("/api/lawyers", params={"state": "XX"}).status_code == 422
    assert client.get("/api/lawyers", params={"topic": "housing"}).json()["total"] == 0
    patched = client.patch(f"/api/lawyers/{lawyer['id']}", json={"active": False})
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert client.get("/api/lawyers/999999").status_code == 404
    assert client.patch("/api/lawyers/999999", json={"active": False}).status_code == 404


# --- seed -----------------------------------------------------------------------------------------

def test_seed_is_idempotent_and_covers_every_topic_in_several_states(session):
    added = seed_demo_lawyers(session)
    assert added == len(demo_lawyers())
    assert seed_demo_lawyers(session) == 0
    assert session.query(Lawyer).count() == added
    panel = [lawyer for lawyer in session.query(Lawyer) if not lawyer.is_legal_aid]
    for topic in Topic:
        states = {state for lawyer in panel if topic.value in lawyer.practice_areas for state in lawyer.states}
        assert len(states) >= 3, topic
    fallback = [lawyer for lawyer in session.query(Lawyer) if lawyer.is_legal_aid]
    assert len(fallback) == 1 and set(fallback[0].practice_areas) == {t.value for t in Topic}
    for lawyer in session.query(Lawyer):
        assert "Fictional" in (lawyer.firm or "") + lawyer.name
        assert lawyer.email.endswith("example.com")
        assert lawyer.phone[5:9] == "5550" and 100 <= int(lawyer.phone[-4:]) <= 199
        LawyerCreate.model_validate({**{k: getattr(lawyer, k) for k in ("name", "firm", "email", "phone", "languages",
                                                                        "capacity")},
                                     "practice_areas": lawyer.practice_areas, "states": lawyer.states})


def test_seeded_demo_matches_a_lead(client, session):
    seed_demo_lawyers(session)
    lead = post_lead(client, topic="immigration", state="TX").json()
    assert lead["queue"] == "panel" and lead["lawyer"]["email"].endswith("@example.com")
