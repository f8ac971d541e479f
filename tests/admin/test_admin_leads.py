"""Leads in the admin: list with filters, search, sorting and pagination; detail with transcript;
status, assignment, notes; CSV export; deleting a person's data."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from admin_helpers import add_lawyer, add_lead, csrf_from, housing_conversation

from handoff.admin.csv_export import neutralize
from handoff.admin.models import AuditEntry
from handoff.conversations import repository
from handoff.leads.models import Lead


def _ids(html: str, leads) -> list[int]:
    """Which of `leads` appear in the page, in page order."""
    positions = []
    for lead in leads:
        marker = f'href="/admin/leads/{lead.id}">{lead.id}<'
        if marker in html:
            positions.append((html.index(marker), lead.id))
    return [lead_id for _pos, lead_id in sorted(positions)]


def _audit(session, action: str) -> list[AuditEntry]:
    return list(session.query(AuditEntry).filter(AuditEntry.action == action).order_by(AuditEntry.id))


@pytest.fixture
def some_leads(session):
    lawyer = add_lawyer(session, name="Avery Fictional", topics=("housing", "employment"))
    now = datetime.now(UTC)
    return {
        "lawyer": lawyer,
        "a": add_lead(session, name="Alice Housing", topic="housing", created_at=now - timedelta(days=10),
                      handoff_reason="low_confidence", lawyer=lawyer),
        "b": add_lead(session, name="Bob Employment", topic="employment", created_at=now - timedelta(days=3),
                      handoff_reason="user_request", urgency="high", summary="Fired after asking for overtime pay"),
        "c": add_lead(session, name="Carol Divorce", topic="divorce", created_at=now - timedelta(days=1),
                      handoff_reason="complex", status="closed", lost_reason="duplicate"),
    }


def test_list_shows_newest_first(reviewer_client, some_leads):
    page = reviewer_client.get("/admin/leads")
    assert page.status_code == 200
    leads = [some_leads[k] for k in "abc"]
    assert _ids(page.text, leads) == [some_leads["c"].id, some_leads["b"].id, some_leads["a"].id]
    assert "Avery Fictional" in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=closed", "c"),
        ("topic=employment", "b"),
        ("reason=low_confidence", "a"),
        ("q=bob", "b"),
        ("q=overtime", "b"),
        ("q=bo%00b", "b"),  # a NUL (nobody types one; PostgreSQL cannot compare it) is dropped, not a 500
        ("queue=panel", "a"),
    ],
)
def test_filters(reviewer_client, some_leads, query, expected):
    page = reviewer_client.get(f"/admin/leads?{query}")
    assert page.status_code == 200
    assert _ids(page.text, [some_leads[k] for k in "abc"]) == [some_leads[expected].id]


def test_filter_by_lawyer_and_dates(reviewer_client, some_leads):
    lawyer = some_leads["lawyer"]
    page = reviewer_client.get(f"/admin/leads?lawyer={lawyer.id}")
    assert _ids(page.text, [some_leads[k] for k in "abc"]) == [some_leads["a"].id]
    today = datetime.now(UTC).date()
    page = reviewer_client.get(f"/admin/leads?from={(today - timedelta(days=5)).isoformat()}&to={today.isoformat()}")
    assert _ids(page.text, [some_leads[k] for k in "abc"]) == [some_leads["c"].id, some_leads["b"].id]


def test_bad_filter_values_are_ignored_with_a_message(reviewer_client, some_leads):
    page = reviewer_client.get("/admin/leads?from=yesterday&status=bogus&page=abc&sort=drop+table")
    assert page.status_code == 200
    assert "was not understood" in page.text
    assert len(_ids(page.text, [some_leads[k] for k in "abc"])) == 3


def test_sorting_and_pagination(reviewer_client, session, some_leads):
    page = reviewer_client.get("/admin/leads?sort=topic")
    assert _ids(page.text, [some_leads[k] for k in "abc"]) == [some_leads["c"].id, some_leads["b"].id, some_leads["a"].id]
    page = reviewer_client.get("/admin/leads?sort=-urgency")
    assert _ids(page.text, [some_leads[k] for k in "abc"])[0] == some_leads["b"].id
    for _ in range(30):
        add_lead(session)
    first = reviewer_client.get("/admin/leads")
    assert "33 leads" in first.text and "page 1 of 2" in first.text
    second = reviewer_client.get("/admin/leads?page=2")
    assert "page 2 of 2" in second.text
    assert _ids(second.text, [some_leads["a"]]) == [some_leads["a"].id]
    # Filters survive in the pagination and sort links.
    filtered = reviewer_client.get("/admin/leads?topic=housing&per_page=25")
    assert "topic=housing" in filtered.text


def test_detail_shows_the_transcript_with_predictions(reviewer_client, session, tracker):
    lead = add_lead(session, conversation_id="conv-detail-1")
    housing_conversation(tracker, "conv-detail-1")
    page = reviewer_client.get(f"/admin/leads/{lead.id}")
    assert page.status_code == 200
    assert "My landlord wants to evict me next week" in page.text
    assert "Eviction needs a court order" in page.text
    assert "91%" in page.text and "44%" in page.text  # confidence of each message
    assert "Low confidence" in page.text  # decision reason
    assert "Talk to a lawyer" in page.text  # button offered


def test_unknown_lead_is_404_page(reviewer_client):
    assert reviewer_client.get("/admin/leads/999999").status_code == 404
    assert reviewer_client.get("/admin/leads/not-a-number").status_code == 404


def _post(client, url: str, data: dict, *, page: str):
    token = csrf_from(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token})


def test_status_change_is_applied_and_audited(reviewer_client, reviewer_user, session, some_leads):
    lawyer_lead = some_leads["a"]  # assigned
    response = _post(reviewer_client, f"/admin/leads/{lawyer_lead.id}/status", {"status": "contacted"},
                     page=f"/admin/leads/{lawyer_lead.id}")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Lead, lawyer_lead.id).status == "contacted"
    history = session.get(Lead, lawyer_lead.id).history[-1]
    assert history.to_status == "contacted" and history.actor == f"staff:{reviewer_user.email}"
    entry = _audit(session, "lead.status")[-1]
    assert entry.actor_id == reviewer_user.id and entry.target_id == str(lawyer_lead.id)
    assert entry.detail["from"] == "assigned" and entry.detail["to"] == "contacted"
    page = reviewer_client.get(response.headers["location"])
    assert "Status changed from assigned to contacted." in page.text


def test_invalid_transition_shows_error_and_writes_nothing(reviewer_client, session, some_leads):
    closed = some_leads["c"]
    response = _post(reviewer_client, f"/admin/leads/{closed.id}/status", {"status": "contacted"},
                     page=f"/admin/leads/{closed.id}")
    assert response.status_code == 303
    page = reviewer_client.get(f"/admin/leads/{closed.id}")
    assert "the lead is finished" in page.text
    assert _audit(session, "lead.status") == []


def test_not_retained_needs_a_reason(reviewer_client, session):
    lead = add_lead(session, status="consultation_scheduled", lawyer=add_lawyer(session))
    _post(reviewer_client, f"/admin/leads/{lead.id}/status", {"status": "not_retained"}, page=f"/admin/leads/{lead.id}")
    assert "A reason is required" in reviewer_client.get(f"/admin/leads/{lead.id}").text
    _post(reviewer_client, f"/admin/leads/{lead.id}/status", {"status": "not_retained", "reason": "chose another firm"},
          page=f"/admin/leads/{lead.id}")
    session.expire_all()
    assert session.get(Lead, lead.id).status == "not_retained"


def test_assignment_notifies_the_lawyer_and_is_audited(reviewer_client, session, notifier, some_leads):
    lead = some_leads["b"]
    lawyer = add_lawyer(session, name="Blake Fictional", topics=("employment",))
    response = _post(reviewer_client, f"/admin/leads/{lead.id}/assign", {"lawyer_id": str(lawyer.id), "reason": "speaks Spanish"},
                     page=f"/admin/leads/{lead.id}")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Lead, lead.id).lawyer_id == lawyer.id
    assert [m.to for m in notifier.messages] == [lawyer.email]
    entry = _audit(session, "lead.assign")[-1]
    assert entry.detail["to_lawyer"] == lawyer.id
    assert "who has been notified" in reviewer_client.get(f"/admin/leads/{lead.id}").text


def test_assignment_respects_capacity_unless_overridden(reviewer_client, session, some_leads):
    lead = some_leads["b"]
    full = add_lawyer(session, capacity=0, topics=("employment",))
    _post(reviewer_client, f"/admin/leads/{lead.id}/assign", {"lawyer_id": str(full.id)}, page=f"/admin/leads/{lead.id}")
    session.expire_all()
    assert session.get(Lead, lead.id).lawyer_id is None
    assert "at capacity" in reviewer_client.get(f"/admin/leads/{lead.id}").text
    _post(reviewer_client, f"/admin/leads/{lead.id}/assign", {"lawyer_id": str(full.id), "override_capacity": "on"},
          page=f"/admin/leads/{lead.id}")
    session.expire_all()
    assert session.get(Lead, lead.id).lawyer_id == full.id


def test_notes_are_added_and_audited_without_their_text(reviewer_client, reviewer_user, session, some_leads):
    lead = some_leads["a"]
    _post(reviewer_client, f"/admin/leads/{lead.id}/notes", {"text": "Called, left a voicemail."}, page=f"/admin/leads/{lead.id}")
    page = reviewer_client.get(f"/admin/leads/{lead.id}")
    assert "Called, left a voicemail." in page.text and reviewer_user.email in page.text
    entry = _audit(session, "lead.note")[-1]
    assert "voicemail" not in str(entry.detail)
    _post(reviewer_client, f"/admin/leads/{lead.id}/notes", {"text": "   "}, page=f"/admin/leads/{lead.id}")
    assert "A note cannot be empty" in reviewer_client.get(f"/admin/leads/{lead.id}").text


def test_csv_export_respects_filters_and_neutralises_formulas(reviewer_client, reviewer_user, session):
    add_lead(session, name="=HYPERLINK(\"http://evil.example\",\"click\")", topic="traffic",
             summary="+1 ticket; -5 points; @SUM(A1:A2)", opposing_party="@attacker")
    add_lead(session, name="Normal Person", topic="traffic", summary="Speeding ticket")
    add_lead(session, name="Other Topic", topic="housing")
    response = reviewer_client.get("/admin/leads/export.csv?topic=traffic&sort=id")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    header, data = rows[0], rows[1:]
    assert len(data) == 2
    name, summary, phone = header.index("Name"), header.index("Summary"), header.index("Phone")
    assert data[0][name] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert data[0][summary] == "'+1 ticket; -5 points; @SUM(A1:A2)"
    assert data[0][header.index("Opposing party")] == "'@attacker"
    assert data[0][phone] == "'+12125550142"
    assert data[1][name] == "Normal Person"
    for row in data:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    entry = _audit(session, "leads.export")[-1]
    assert entry.actor_id == reviewer_user.id and entry.detail["rows"] == 2
    assert entry.detail["filters"]["topic"] == "traffic"


def test_csv_export_records_search_without_the_searched_text(reviewer_client, session):
    add_lead(session, name="Searchable Name")
    reviewer_client.get("/admin/leads/export.csv?q=Searchable")
    entry = _audit(session, "leads.export")[-1]
    assert entry.detail["filters"] == {"search": True}
    assert "Searchable" not in str(entry.detail)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_neutralize_prefixes_formula_cells(value):
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["Pat", "1+1", "a=b", "", None, 0.5])
def test_neutralize_keeps_plain_cells(value):
    assert not neutralize(value).startswith("'")


def test_delete_person_data_erases_lead_and_transcript(admin_client, admin_user, session, tracker):
    lead = add_lead(session, name="Dana Private", conversation_id="conv-private-1", summary="My SSN is 123-45-6789")
    housing_conversation(tracker, "conv-private-1")
    housing_conversation(tracker, "conv-someone-else")
    page = admin_client.get(f"/admin/leads/{lead.id}/delete-data")
    assert page.status_code == 200 and "cannot be undone" in page.text
    # Without the confirmation box nothing happens.
    admin_client.post(f"/admin/leads/{lead.id}/delete-data", data={"csrf_token": csrf_from(page.text)})
    session.expire_all()
    assert session.get(Lead, lead.id).pii_deleted_at is None
    response = admin_client.post(f"/admin/leads/{lead.id}/delete-data",
                                 data={"csrf_token": csrf_from(page.text), "confirm": "on"})
    assert response.status_code == 303
    session.expire_all()
    erased = session.get(Lead, lead.id)
    assert erased.pii_deleted_at is not None
    assert "Dana" not in erased.name and erased.email is None and "123-45" not in (erased.summary or "")
    assert repository.transcript(tracker, "conv-private-1") == []
    assert repository.transcript(tracker, "conv-someone-else") != []
    deleted = _audit(session, "lead.delete_person_data")[-1]
    assert deleted.actor_id == admin_user.id and deleted.target_id == str(lead.id)
    transcript = _audit(session, "conversation.delete")[-1]
    assert transcript.target_id == "conv-private-1" and transcript.detail["events"] == 7
    page = admin_client.get(f"/admin/leads/{lead.id}")
    assert "Dana Private" not in page.text and "data was deleted" in page.text


def test_delete_person_data_is_admin_only(reviewer_client, session):
    lead = add_lead(session)
    page = reviewer_client.get(f"/admin/leads/{lead.id}")
    assert "Delete this person" not in page.text
    assert reviewer_client.get(f"/admin/leads/{lead.id}/delete-data").status_code == 403
    token = csrf_from(page.text)
    assert reviewer_client.post(f"/admin/leads/{lead.id}/delete-data",
                                data={"csrf_token": token, "confirm": "on"}).status_code == 403
    session.expire_all()
    assert session.get(Lead, lead.id).pii_deleted_at is None
