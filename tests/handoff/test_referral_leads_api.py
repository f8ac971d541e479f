"""The leads API end to end: creation, reading, listing with filters and pagination, OpenAPI."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handoff.leads.models import Lead

from referral_helpers import add_lawyer, lead_body, post_lead


def test_create_lead_assigns_matching_lawyer(client, session, notifier):
    lawyer = add_lawyer(session, topics=["housing"], states=["NY"])
    response = post_lead(client)
    assert response.status_code == 201, response.text
    lead = response.json()
    assert lead["status"] == "assigned"
    assert lead["queue"] == "panel"
    assert lead["lawyer_id"] == lawyer.id
    assert lead["lawyer"]["email"] == lawyer.email
    assert lead["phone"] == "+12125550142"  # normalised to E.164
    assert [h["event"] for h in lead["history"]] == ["created", "assigned", "notified"]
    assert lead["history"][0]["actor"] == "bot"
    assert lead["history"][1]["actor"] == "system"
    assert lead["days_to_close"] is None
    assert response.headers["content-type"].startswith("application/json")


def test_get_lead_and_404(client, session):
    created = post_lead(client).json()
    response = client.get(f"/api/leads/{created['id']}")
    assert response.status_code == 200
    assert response.json()["conversation_id"] == created["conversation_id"]
    missing = client.get("/api/leads/999999")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "lead 999999 not found"


def test_zip_code_alias_and_blank_fields(client, session):
    body = lead_body(state=None, zip_code="10001", email="", summary="  ", opposing_party="", preferred_contact="")
    del body["state"]
    response = post_lead(client, body)
    assert response.status_code == 201, response.text
    lead = response.json()
    assert lead["zip"] == "10001"
    assert lead["state"] == "NY"  # from the ZIP prefix
    assert lead["email"] is None and lead["summary"] is None
    assert lead["preferred_contact"] == "phone"  # derived: no email given


def _make_leads(client, session, n: int, **overrides) -> list[dict]:
    return [post_lead(client, **overrides).json() for _ in range(n)]


def test_pagination(client, session):
    _make_leads(client, session, 7)
    page1 = client.get("/api/leads", params={"per_page": 3, "page": 1}).json()
    page3 = client.get("/api/leads", params={"per_page": 3, "page": 3}).json()
    assert page1["total"] == 7 and len(page1["items"]) == 3
    assert page3["total"] == 7 and len(page3["items"]) == 1
    ids = [lead["id"] for lead in page1["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first by default
    everything = client.get("/api/leads", params={"per_page": 100}).json()
    assert len({lead["id"] for lead in everything["items"]}) == 7
    too_big = client.get("/api/leads", params={"per_page": 101})
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "per_page"
    assert client.get("/api/leads", params={"page": 0}).status_code == 422


def test_filters(client, session):
    add_lawyer(session, topics=["housing"], states=["NY"])
    _make_leads(client, session, 2, topic="housing")
    _make_leads(client, session, 3, topic="immigration", handoff_reason="user_request")
    assert client.get("/api/leads", params={"topic": "immigration"}).json()["total"] == 3
    assert client.get("/api/leads", params={"topic": ["immigration", "housing"]}).json()["total"] == 5
    assert client.get("/api/leads", params={"queue": "legal_aid"}).json()["total"] == 3
    assert client.get("/api/leads", params={"queue": "panel"}).json()["total"] == 2
    assert client.get("/api/leads", params={"status": "assigned"}).json()["total"] == 2
    assert client.get("/api/leads", params={"status": "new"}).json()["total"] == 3
    assert client.get("/api/leads", params={"reason": "user_request"}).json()["total"] == 3
    assert client.get("/api/leads", params={"status": "bogus"}).status_code == 422
    assert client.get("/api/leads", params={"topic": "astrology"}).status_code == 422
    # PostgreSQL cannot compare text with a NUL in it: a clear 422, not a 500 from the database.
    nul = client.get("/api/leads", params={"q": "a\x00b"})
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "q"
    assert "control characters" in nul.json()["errors"][0]["message"]


def test_date_range_filter(client, session):
    leads = _make_leads(client, session, 3)
    old = session.get(Lead, leads[0]["id"])
    old.created_at = datetime(2024, 1, 15, 10, tzinfo=UTC)
    session.commit()
    today = datetime.now(UTC).date()
    jan = client.get("/api/leads", params={"date_from": "2024-01-01", "date_to": "2024-01-31"}).json()
    assert [lead["id"] for lead in jan["items"]] == [leads[0]["id"]]
    assert client.get("/api/leads", params={"date_from": "2024-01-15", "date_to": "2024-01-15"}).json()["total"] == 1
    recent = client.get("/api/leads", params={"date_from": str(today - timedelta(days=1))}).json()
    assert recent["total"] == 2
    bad = client.get("/api/leads", params={"date_from": "2024-02-01", "date_to": "2024-01-01"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "date_to"
    assert client.get("/api/leads", params={"date_from": "yesterday"}).status_code == 422


def test_openapi_documents_schemas_and_errors(client):
    schema = client.get("/openapi.json").json()
    post = schema["paths"]["/api/leads"]["post"]
    assert {"200", "201", "401", "409", "422", "503"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    assert post["security"] == [{"ServiceToken": []}]
    patch = schema["paths"]["/api/leads/{lead_id}/status"]["patch"]
    assert {"404", "409", "422", "401"} <= set(patch["responses"])
    components = schema["components"]["schemas"]
    for name in ("LeadCreate", "LeadDetail", "LeadPage", "StatusChange", "LawyerCreate", "LawyerOut", "ErrorResponse"):
        assert name in components
    assert set(components["Topic"]["enum"]) == {
        "benefits", "business", "consumer", "courts", "crime", "divorce", "domestic_violence", "education",
        "employment", "estates", "family", "health", "housing", "immigration", "torts", "traffic",
    }
    for path in ("/api/lawyers", "/api/lawyers/{lawyer_id}"):
        assert path in schema["paths"]


def test_no_personal_data_in_logs(client, session, caplog):
    import logging

    from handoff.leads import service

    add_lawyer(session)
    body = lead_body(name="Octavia Lognot", email="octavia.lognot@example.com", phone="(646) 555-0163",
                     summary="secret-summary-plugh", opposing_party="Opposing Lognot Corp")
    with caplog.at_level(logging.DEBUG):
        created = post_lead(client, body).json()
        post_lead(client, body)  # replay
        post_lead(client, {**body, "summary": "changed"})  # conflict
        client.patch(f"/api/leads/{created['id']}/status", json={"status": "contacted", "actor": "staff:alice"})
        client.get("/api/leads", params={"q": "Lognot"})
        service.add_note(session, lead_id=created["id"], author="staff:alice", text="Octavia called back")
        service.delete_person_data(session, lead_id=created["id"], actor="staff:alice")
    assert f"lead {created['id']} created" in caplog.text
    for secret in ("Octavia", "Lognot", "octavia.lognot", "6465550163", "555-0163", "plugh"):
        assert secret not in caplog.text
