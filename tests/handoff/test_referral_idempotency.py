"""POST /api/leads is idempotent on the Idempotency-Key: retries, conflicts and races."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from referral_helpers import TOKEN, RecordingNotifier, add_lawyer, lead_body, make_settings, post_lead
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.deps import get_notifier
from handoff.leads import service
from handoff.leads.models import Lead
from handoff.leads.schemas import LeadCreate
from handoff.main import create_app


def test_retry_returns_same_lead_with_200(client, session, notifier):
    add_lawyer(session)
    body = lead_body()
    first = post_lead(client, body)
    second = post_lead(client, body)
    third = post_lead(client, body)
    assert first.status_code == 201
    assert second.status_code == 200 and third.status_code == 200
    assert first.json()["id"] == second.json()["id"] == third.json()["id"]
    assert second.json()["lawyer_id"] == first.json()["lawyer_id"]
    assert session.query(Lead).count() == 1
    assert len(notifier.messages) == 1  # the lawyer is told once


def test_equivalent_body_is_a_retry(client, session):
    body = lead_body(phone="(212) 555-0142", state="ny")
    first = post_lead(client, body)
    # Same lead after normalisation: another phone format, lower-case state, key order.
    again = dict(reversed(list({**body, "phone": "212-555-0142", "state": "NY"}.items())))
    second = post_lead(client, again, key=body["conversation_id"])
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


def test_same_key_different_body_is_409(client, session):
    body = lead_body()
    assert post_lead(client, body).status_code == 201
    response = post_lead(client, {**body, "summary": "Something else entirely"})
    assert response.status_code == 409
    assert "Idempotency-Key was already used" in response.json()["detail"]
    assert session.query(Lead).count() == 1


def test_different_keys_make_different_leads(client, session):
    body = lead_body()
    a = post_lead(client, body, key="key-a")
    b = post_lead(client, body, key="key-b")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


def test_invalid_retry_does_not_touch_the_lead(client, session):
    body = lead_body()
    created = post_lead(client, body).json()
    assert post_lead(client, {**body, "email": "broken"}).status_code == 422
    assert client.get(f"/api/leads/{created['id']}").json()["email"] == body["email"]


def _count(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count(Lead.id)))


def test_concurrent_duplicates_in_service_make_one_lead(committed_database):
    engine = committed_database.engine
    with Session(engine) as s:
        add_lawyer(s, capacity=100)
    data = LeadCreate.model_validate(lead_body(conversation_id="race-1"))
    barrier = threading.Barrier(8)

    def create(_):
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            lead, created = service.create_lead(s, data=data, idempotency_key="race-1")
            return lead.id, created

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(create, range(8)))
    assert len({lead_id for lead_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert _count(engine) == 1


def test_concurrent_duplicates_through_the_api_make_one_lead(committed_database, tmp_path):
    app = create_app(make_settings(tmp_path, database_url=committed_database.url))
    notifier = RecordingNotifier()
    app.dependency_overrides[get_notifier] = lambda: notifier
    with Session(committed_database.engine) as s:
        add_lawyer(s, capacity=100)
    bodies = [lead_body(conversation_id=f"conv-{i}") for i in range(5)]
    barrier = threading.Barrier(20)

    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {TOKEN}"

        def send(i):
            body = bodies[i % 5]
            barrier.wait()
            return body["conversation_id"], post_lead(client, body)

        with ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(send, range(20)))
        app.state.engine.dispose()

    by_key: dict[str, set[int]] = {}
    for key, response in results:
        assert response.status_code in (200, 201), response.text
        by_key.setdefault(key, set()).add(response.json()["id"])
    assert all(len(ids) == 1 for ids in by_key.values())
    assert sorted(code for _, r in results for code in [r.status_code]).count(201) == 5
    assert _count(committed_database.engine) == 5
    assert len(notifier.messages) == 5


@pytest.mark.parametrize("capacity", [3])
def test_concurrent_leads_respect_capacity(committed_database, capacity):
    engine = committed_database.engine
    with Session(engine) as s:
        lawyer_id = add_lawyer(s, capacity=capacity).id
    barrier = threading.Barrier(10)

    def create(i):
        data = LeadCreate.model_validate(lead_body(conversation_id=f"cap-{i}"))
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            lead, _ = service.create_lead(s, data=data, idempotency_key=f"cap-{i}")
            return lead.lawyer_id

    with ThreadPoolExecutor(max_workers=10) as pool:
        assigned = list(pool.map(create, range(10)))
    assert assigned.count(lawyer_id) == capacity
    assert assigned.count(None) == 10 - capacity
    assert _count(engine) == 10
