"""The chat and triage API's boundary: validation, clear errors, Rasa down → 503."""
from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from handoff.chat.service import bot_messages_from_rest, history_from_tracker
from handoff.chat.triage import triage_from_parse
from handoff.main import create_app
from handoff.settings import Settings


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def client(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        tracker_database_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        rasa_url=f"http://127.0.0.1:{closed_port()}",
        rasa_token="t",
        service_token="s",
        secret_key="k" * 32,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "body, field",
    [
        ({"sender": "abc"}, "message"),
        ({"message": "hello"}, "sender"),
        ({"sender": "abc", "message": ""}, "message"),
        ({"sender": "abc", "message": "   \n "}, "message"),
        ({"sender": "abc", "message": 42}, "message"),
        ({"sender": 7, "message": "hi"}, "sender"),
        ({"sender": "abc", "message": "x" * 5001}, "message"),
        ({"sender": "a b/c", "message": "hi"}, "sender"),
        ({"sender": "abc", "message": "hi", "extra": 1}, "extra"),
        ({"sender": "abc", "message": ["hi"]}, "message"),
    ],
)
def test_chat_rejects_bad_bodies_with_the_field_named(client, body, field):
    response = client.post("/api/chat", json=body)
    assert response.status_code == 422
    payload = response.json()
    assert any(error["field"] == field for error in payload["errors"]), payload
    assert payload["detail"].startswith("Invalid request")


def test_chat_rejects_invalid_json(client):
    response = client.post("/api/chat", content=b'{"sender": "a", "message": ', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_chat_accepts_exactly_5000_characters_and_reports_rasa_down(client):
    response = client.post("/api/chat", json={"sender": "abc", "message": "x" * 5000})
    assert response.status_code == 503
    assert response.json() == {"detail": "The chat assistant is temporarily unavailable. Please try again in a minute."}


def test_history_and_triage_report_rasa_down_without_a_trace(client):
    assert client.get("/api/chat/history", params={"sender": "abc"}).status_code == 503
    response = client.post("/api/triage", json={"text": "my landlord kept my deposit"})
    assert response.status_code == 503
    assert "Traceback" not in response.text


@pytest.mark.parametrize("body", [{"text": ""}, {"text": " "}, {"text": "x" * 5001}, {"text": None}, {}])
def test_triage_rejects_bad_text(client, body):
    assert client.post("/api/triage", json=body).status_code == 422


def test_custom_payload_is_folded_into_the_message_it_follows():
    replies = [
        {"recipient_id": "a", "text": "Answer", "buttons": [{"title": "This helped", "payload": "/feedback_helpful"}]},
        {"recipient_id": "a", "custom": {"kind": "answer", "links": [{"title": "LawHelp", "url": "https://www.lawhelp.org/"}]}},
        {"recipient_id": "a", "text": "Second"},
    ]
    messages = bot_messages_from_rest(replies)
    assert [m.text for m in messages] == ["Answer", "Second"]
    assert messages[0].kind == "answer"
    assert messages[0].links == [{"title": "LawHelp", "url": "https://www.lawhelp.org/"}]
    assert messages[0].buttons[0].payload == "/feedback_helpful"


def test_history_shows_button_titles_and_skips_internal_events():
    tracker = {
        "events": [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": "/affirm", "metadata": {"display_text": "Yes, connect me"}, "timestamp": 1.0},
            {"event": "bot", "text": "Hello", "data": {"buttons": [{"title": "No", "payload": "/deny"}], "custom": {"kind": "handoff"}}, "timestamp": 2.0},
            {"event": "slot", "name": "pending", "value": "x"},
        ]
    }
    items = history_from_tracker(tracker)
    assert [(i.role, i.text) for i in items] == [("user", "Yes, connect me"), ("bot", "Hello")]
    assert items[1].kind == "handoff" and items[1].buttons[0].title == "No"


def test_triage_response_keeps_the_topic_when_not_answering():
    parsed = {
        "intent": {"name": "nlu_fallback", "confidence": 0.45},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.45},
            {"name": "housing", "confidence": 0.40},
            {"name": "greet", "confidence": 0.1},
            {"name": "consumer", "confidence": 0.3},
        ],
        "triage": {"decision": "clarify", "topic": "housing", "confidence": 0.4, "reason": "ambiguous"},
    }
    result = triage_from_parse(parsed)
    assert result.topic == "housing" and result.decision == "clarify"
    assert [r.topic for r in result.ranking] == ["housing", "consumer"]


def test_triage_response_defaults_to_handoff_when_the_decision_is_missing():
    result = triage_from_parse({"intent_ranking": [{"name": "crime", "confidence": 0.9}]})
    assert result.decision == "handoff" and result.topic == "crime"
