"""Logged user messages in the test tracker store, as Rasa's SQLTrackerStore writes them."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import Engine, func, select

from handoff.conversations.repository import ensure_events_table, events


def log_message(
    tracker: Engine, text: str, *, topic: str | None = "housing", confidence: float = 0.5, at: float,
    sender_id: str | None = None, intent: str | None = None, ranking: list[tuple[str, float]] | None = None,
) -> int:
    """Insert one `user` event and return its event id."""
    ensure_events_table(tracker)
    ranking = ranking or ([(topic, confidence), ("consumer", round((1 - confidence) / 2, 3))] if topic else [])
    intent = intent or topic or "nlu_fallback"
    data = {
        "event": "user", "timestamp": at, "text": text, "input_channel": "rest", "message_id": uuid.uuid4().hex,
        "parse_data": {
            "text": text, "entities": [], "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "triage": {"decision": "answer", "topic": topic, "confidence": confidence, "reason": None},
        },
    }
    with tracker.begin() as connection:
        connection.execute(events.insert().values(
            sender_id=sender_id or f"conv-{uuid.uuid4().hex[:8]}", type_name="user", timestamp=at,
            intent_name=intent, action_name=None, data=json.dumps(data),
        ))
        return connection.execute(select(func.max(events.c.id))).scalar_one()


def log_bot(tracker: Engine, text: str, *, at: float, sender_id: str) -> None:
    with tracker.begin() as connection:
        connection.execute(events.insert().values(
            sender_id=sender_id, type_name="bot", timestamp=at, intent_name=None, action_name=None,
            data=json.dumps({"event": "bot", "text": text, "timestamp": at}),
        ))
