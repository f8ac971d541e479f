"""Queries over Rasa's tracker store.

Rasa's SQLTrackerStore writes one row per event into `events` (id, sender_id, type_name,
timestamp, intent_name, action_name, data as JSON text). The app only reads it; the engine is
built by `make_tracker_engine` from TRACKER_DATABASE_URL. The admin transcripts, the NLU inbox
and analytics all go through these functions so the event format is interpreted in one place.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, func, select

from ..db import make_engine
from ..leads.enums import Topic

metadata = MetaData()
# Mirrors rasa.core.tracker_store.SQLTrackerStore.SQLEvent (Rasa 3.6).
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), index=True),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

TOPICS = tuple(topic.value for topic in Topic)


def make_tracker_engine(url: str) -> Engine:
    return make_engine(url)


def ensure_events_table(engine: Engine) -> None:
    """Create an empty `events` table if Rasa has not yet (fresh install, tests)."""
    metadata.create_all(engine, tables=[events], checkfirst=True)


@dataclass
class UserMessage:
    event_id: int
    sender_id: str
    timestamp: float
    text: str
    intent: str | None
    topic: str | None
    confidence: float
    ranking: list[dict] = field(default_factory=list)
    decision: str | None = None
    reason: str | None = None
    safety: dict = field(default_factory=dict)

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp, dt.timezone.utc)


@dataclass
class Turn:
    role: str  # "user" | "bot" | "event"
    timestamp: float
    text: str | None
    prediction: UserMessage | None = None
    buttons: list[dict] = field(default_factory=list)
    detail: dict = field(default_factory=dict)

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp, dt.timezone.utc)


@dataclass
class ConversationSummary:
    sender_id: str
    started: float
    last: float
    user_messages: int

    @property
    def started_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.started, dt.timezone.utc)

    @property
    def last_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.last, dt.timezone.utc)


def _data(raw: str | None) -> dict:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def user_message_from_event(event_id: int, sender_id: str, timestamp: float, data: dict) -> UserMessage:
    parse = data.get("parse_data") or {}
    ranking = [r for r in parse.get("intent_ranking") or [] if isinstance(r, dict)]
    topics = [r for r in ranking if r.get("name") in TOPICS]
    triage = parse.get("triage") or {}
    top = topics[0] if topics else {}
    return UserMessage(
        event_id=event_id,
        sender_id=sender_id,
        timestamp=timestamp,
        text=data.get("text") or "",
        intent=(parse.get("intent") or {}).get("name"),
        topic=triage.get("topic", top.get("name")),
        confidence=float(triage.get("confidence", top.get("confidence", 0.0)) or 0.0),
        ranking=[{"name": r.get("name"), "confidence": float(r.get("confidence") or 0.0)} for r in topics[:5]],
        decision=triage.get("decision"),
        reason=triage.get("reason"),
        safety=parse.get("safety") or {},
    )


def is_free_text(text: str) -> bool:
    """Button payloads ("/affirm", "/choose_topic{...}") are not things a person wrote."""
    return bool(text) and not text.startswith("/")


def iter_user_messages(
    engine: Engine,
    *,
    sender_id: str | None = None,
    since: float | None = None,
    until: float | None = None,
    free_text_only: bool = True,
) -> Iterator[UserMessage]:
    query = select(events.c.id, events.c.sender_id, events.c.timestamp, events.c.data).where(events.c.type_name == "user")
    if sender_id is not None:
        query = query.where(events.c.sender_id == sender_id)
    if since is not None:
        query = query.where(events.c.timestamp >= since)
    if until is not None:
        query = query.where(events.c.timestamp < until)
    with engine.connect() as connection:
        for row in connection.execute(query.order_by(events.c.timestamp, events.c.id)):
            message = user_message_from_event(row.id, row.sender_id, row.timestamp, _data(row.data))
            if free_text_only and not is_free_text(message.text):
                continue
            yield message


def get_user_message(engine: Engine, event_id: int) -> UserMessage | None:
    query = select(events.c.id, events.c.sender_id, events.c.timestamp, events.c.data).where(
        events.c.id == event_id, events.c.type_name == "user"
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return user_message_from_event(row.id, row.sender_id, row.timestamp, _data(row.data)) if row else None


def transcript(engine: Engine, sender_id: str) -> list[Turn]:
    """A conversation's turns, oldest first: user messages with their predictions, bot replies, key slot events."""
    query = (
        select(events.c.id, events.c.type_name, events.c.timestamp, events.c.data)
        .where(events.c.sender_id == sender_id)
        .order_by(events.c.timestamp, events.c.id)
    )
    turns: list[Turn] = []
    with engine.connect() as connection:
        for row in connection.execute(query):
            data = _data(row.data)
            if row.type_name == "user":
                message = user_message_from_event(row.id, sender_id, row.timestamp, data)
                turns.append(Turn("user", row.timestamp, message.text, prediction=message))
            elif row.type_name == "bot":
                buttons = (data.get("data") or {}).get("buttons") or []
                turns.append(Turn("bot", row.timestamp, data.get("text"), buttons=buttons))
            elif row.type_name == "slot" and data.get("name") in ("handoff_reason", "answer_feedback", "lead_status"):
                if data.get("value") is not None:
                    turns.append(Turn("event", row.timestamp, None, detail={data["name"]: data.get("value")}))
    return turns


def list_conversations(
    engine: Engine, *, since: float | None = None, until: float | None = None, q: str | None = None,
    offset: int = 0, limit: int = 50,
) -> tuple[list[ConversationSummary], int]:
    user_rows = events.c.type_name == "user"
    query = select(
        events.c.sender_id,
        func.min(events.c.timestamp).label("started"),
        func.max(events.c.timestamp).label("last"),
        func.count(events.c.id).filter(user_rows).label("user_messages"),
    ).group_by(events.c.sender_id)
    if since is not None:
        query = query.having(func.max(events.c.timestamp) >= since)
    if until is not None:
        query = query.having(func.min(events.c.timestamp) < until)
    if q:
        query = query.where(events.c.sender_id.contains(q))
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = connection.execute(query.order_by(func.max(events.c.timestamp).desc()).offset(offset).limit(limit)).all()
    return [ConversationSummary(r.sender_id, r.started, r.last, r.user_messages) for r in rows], total


def slot_values(engine: Engine, slot: str, *, since: float | None = None) -> Iterable[tuple[str, float, Any]]:
    """(sender_id, timestamp, value) of every `slot` event of that slot with a value."""
    query = select(events.c.sender_id, events.c.timestamp, events.c.data).where(events.c.type_name == "slot")
    if since is not None:
        query = query.where(events.c.timestamp >= since)
    with engine.connect() as connection:
        for row in connection.execute(query.order_by(events.c.timestamp, events.c.id)):
            data = _data(row.data)
            if data.get("name") == slot and data.get("value") is not None:
                yield row.sender_id, row.timestamp, data["value"]


def delete_conversation(engine: Engine, sender_id: str) -> int:
    """Erase every event of a conversation (a person's deletion request, or retention). Returns rows deleted."""
    with engine.begin() as connection:
        return connection.execute(events.delete().where(events.c.sender_id == sender_id)).rowcount
