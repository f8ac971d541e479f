"""Loading what analytics needs from the tracker store and the app database.

The tracker store is read through `handoff.conversations.repository` (its `events` table and its
parser of user events), so the Rasa event format is interpreted in one place. Personal data is
never read: leads are loaded without name, email, phone or summary, and message texts are kept
only in memory (no figure shows them).

Definitions used everywhere in analytics:

- **Conversation**: one tracker `sender_id` (the widget's conversation id) with at least one user
  event in the period. Its *week* is the ISO week (UTC, Monday first) of its first user event.
- **Message**: a user event a person typed (not a button payload starting with "/") outside the
  lead form (form answers such as a name or an email address are not questions to classify).
- **Conversation topic**: the last value of the `topic` slot (set by triage, or by the person's
  choice at a clarifying question); "(none)" when the conversation never got a topic.
- **Handoff**: a `handoff_reason` slot event with a value: the bot offered a lawyer (low
  confidence, complex, guardrail, high stakes, after negative feedback) or the person asked for one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, lazyload, load_only

from handoff.conversations.repository import (
    TOPICS,
    UserMessage,
    _data,
    events,
    is_free_text,
    user_message_from_event,
)
from handoff.leads.enums import TERMINAL_STATUSES, LeadStatus
from handoff.leads.models import Lead

NO_TOPIC = "(none)"


def week_of(moment: float | dt.datetime) -> str:
    """ISO week label of a UTC timestamp or aware datetime, e.g. "2026-W48" (weeks start on Monday)."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.fromtimestamp(moment, dt.timezone.utc)
    year, week, _ = moment.astimezone(dt.timezone.utc).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(label: str) -> dt.date:
    """Monday of an ISO week label."""
    year, week = label.split("-W")
    return dt.date.fromisocalendar(int(year), int(week), 1)


def predicted_topic(message: UserMessage) -> str | None:
    """The classifier's top topic: the triage topic, or the top of the ranking when triage withheld one."""
    if message.topic:
        return message.topic
    return message.ranking[0]["name"] if message.ranking else None


@dataclass
class Feedback:
    """One click on "This helped" / "This didn't help" (the `answer_feedback` slot event)."""

    sender_id: str
    timestamp: float
    helpful: bool
    topic: str | None
    article_id: str | None = None
    confidence: float | None = None

    @property
    def week(self) -> str:
        return week_of(self.timestamp)


@dataclass
class Conversation:
    sender_id: str
    started: float
    user_events: int = 0
    messages: list[UserMessage] = field(default_factory=list)
    topic: str | None = None
    handoffs: list[tuple[float, str]] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    answers: int = 0
    lead_outcomes: set[str] = field(default_factory=set)
    consent_answers: list[bool] = field(default_factory=list)

    @property
    def week(self) -> str:
        return week_of(self.started)

    @property
    def topic_key(self) -> str:
        return self.topic or NO_TOPIC

    @property
    def handed_off(self) -> bool:
        return bool(self.handoffs)

    @property
    def first_handoff_reason(self) -> str | None:
        return self.handoffs[0][1] if self.handoffs else None

    @property
    def negative_feedback(self) -> bool:
        return any(not f.helpful for f in self.feedback)

    @property
    def contained(self) -> bool:
        """Ended without a handoff and without negative feedback."""
        return not self.handed_off and not self.negative_feedback

    @property
    def consent(self) -> bool | None:
        """True if the person agreed at least once, False if they only declined, None if never asked/answered."""
        if not self.consent_answers:
            return None
        return any(self.consent_answers)


@dataclass
class LeadRecord:
    id: int
    conversation_id: str
    topic: str
    handoff_reason: str
    status: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    days_to_close: float | None

    @property
    def week(self) -> str:
        return week_of(self.created_at)

    @property
    def finished(self) -> bool:
        return LeadStatus(self.status) in TERMINAL_STATUSES

    @property
    def retained(self) -> bool:
        return self.status == LeadStatus.retained.value


@dataclass
class Dataset:
    conversations: list[Conversation]
    leads: list[LeadRecord]
    # Every user event of the period by event id (also button payloads and form answers), to join labels.
    user_events: dict[int, UserMessage]
    since: float | None = None
    until: float | None = None

    @property
    def messages(self) -> list[UserMessage]:
        return [m for c in self.conversations for m in c.messages]

    @property
    def feedback(self) -> list[Feedback]:
        return [f for c in self.conversations for f in c.feedback]


def _timestamp(day: dt.date | dt.datetime | None) -> float | None:
    if day is None:
        return None
    if not isinstance(day, dt.datetime):
        day = dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)
    elif day.tzinfo is None:
        day = day.replace(tzinfo=dt.timezone.utc)
    return day.timestamp()


def conversations_from_rows(rows: Iterable[Any]) -> tuple[list[Conversation], dict[int, UserMessage]]:
    """Build conversations from event rows (id, sender_id, type_name, timestamp, data), ordered by
    sender, time and id. Pure: the tests feed it rows directly as well."""
    conversations: dict[str, Conversation] = {}
    user_events: dict[int, UserMessage] = {}
    in_form: dict[str, bool] = {}
    for row in rows:
        data = _data(row.data)
        sender = row.sender_id
        kind = row.type_name
        if kind == "active_loop":
            in_form[sender] = bool(data.get("name"))
            continue
        if kind == "user":
            message = user_message_from_event(row.id, sender, row.timestamp, data)
            user_events[row.id] = message
            conversation = conversations.get(sender)
            if conversation is None:
                conversation = conversations[sender] = Conversation(sender_id=sender, started=row.timestamp)
            conversation.user_events += 1
            if is_free_text(message.text) and not in_form.get(sender):
                conversation.messages.append(message)
            continue
        if kind != "slot":
            continue
        conversation = conversations.get(sender)
        name, value = data.get("name"), data.get("value")
        if conversation is None or value is None:
            continue  # slots set before the person said anything (session start) carry no outcome
        if name == "topic" and value in TOPICS:
            conversation.topic = value
        elif name == "handoff_reason" and isinstance(value, str):
            conversation.handoffs.append((row.timestamp, value))
        elif name == "answer_feedback" and isinstance(value, dict) and isinstance(value.get("helpful"), bool):
            conversation.feedback.append(
                Feedback(
                    sender_id=sender,
                    timestamp=row.timestamp,
                    helpful=value["helpful"],
                    topic=value.get("topic") if value.get("topic") in TOPICS else None,
                    article_id=value.get("article_id"),
                    confidence=float(value["confidence"]) if isinstance(value.get("confidence"), (int, float)) else None,
                )
            )
        elif name == "last_answer" and isinstance(value, dict):
            conversation.answers += 1
        elif name == "lead_status" and isinstance(value, str):
            conversation.lead_outcomes.add(value)
        elif name == "consent" and isinstance(value, bool):
            conversation.consent_answers.append(value)
    return sorted(conversations.values(), key=lambda c: (c.started, c.sender_id)), user_events


def load_conversations(
    tracker_engine: Engine, *, since: float | None = None, until: float | None = None
) -> tuple[list[Conversation], dict[int, UserMessage]]:
    query = select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
    if since is not None:
        query = query.where(events.c.timestamp >= since)
    if until is not None:
        query = query.where(events.c.timestamp < until)
    query = query.order_by(events.c.sender_id, events.c.timestamp, events.c.id)
    with tracker_engine.connect() as connection:
        return conversations_from_rows(connection.execute(query))


def load_leads(app_engine: Engine, *, since: float | None = None, until: float | None = None) -> list[LeadRecord]:
    """Leads created in the period, without any personal data."""
    columns = (Lead.id, Lead.conversation_id, Lead.topic, Lead.handoff_reason, Lead.status, Lead.created_at, Lead.closed_at)
    query = select(Lead).options(load_only(*columns), lazyload(Lead.lawyer))
    if since is not None:
        query = query.where(Lead.created_at >= dt.datetime.fromtimestamp(since, dt.timezone.utc))
    if until is not None:
        query = query.where(Lead.created_at < dt.datetime.fromtimestamp(until, dt.timezone.utc))
    with Session(app_engine) as session:
        leads = session.scalars(query.order_by(Lead.created_at, Lead.id)).all()
        return [
            LeadRecord(
                id=lead.id, conversation_id=lead.conversation_id, topic=lead.topic, handoff_reason=lead.handoff_reason,
                status=lead.status, created_at=lead.created_at, closed_at=lead.closed_at, days_to_close=lead.days_to_close,
            )
            for lead in leads
        ]


def load_dataset(
    app_engine: Engine,
    tracker_engine: Engine,
    *,
    since: dt.date | dt.datetime | None = None,
    until: dt.date | dt.datetime | None = None,
) -> Dataset:
    """Everything of the period [since, until) (UTC days; open-ended when None)."""
    start, end = _timestamp(since), _timestamp(until)
    conversations, user_events = load_conversations(tracker_engine, since=start, until=end)
    return Dataset(conversations=conversations, leads=load_leads(app_engine, since=start, until=end),
                   user_events=user_events, since=start, until=end)
