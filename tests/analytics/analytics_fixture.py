"""A small, hand-written world for the analytics tests: 10 conversations over three ISO weeks, 3 leads.

Every figure the tests assert is worked out by hand in the comments below.

Messages (free text typed by a person, outside the lead form):

| event | conv | week | intent        | triage topic      | conf | decision     | reason        | gold (review)     |
|-------|------|------|---------------|-------------------|------|--------------|---------------|-------------------|
| 101   | c1   | W45  | housing       | housing           | 0.90 | answer       |               | housing    ✓      |
| 201   | c2   | W45  | employment    | employment        | 0.80 | answer       |               | employment ✓      |
| 301   | c3   | W45  | greet         | None (housing .05)| 0.05 | out_of_scope |               | out_of_scope (unscored) |
| 302   | c3   | W45  | nlu_fallback  | divorce           | 0.40 | clarify      | ambiguous     | family     ✗      |
| 401   | c4   | W46  | request_lawyer| immigration       | 0.70 | handoff      | user_request  | immigration ✓     |
| 501   | c5   | W46  | crime         | crime             | 0.85 | handoff      | high_stakes   | crime      ✓      |
| 601   | c6   | W46  | nlu_fallback  | traffic           | 0.20 | handoff      | low_confidence| torts      ✗      |
| 701   | c7   | W47  | employment    | employment        | 0.70 | answer       |               | employment ✓      |
| 801   | c8   | W47  | consumer      | consumer          | 0.60 | answer       |               | housing    ✗      |
| 901   | c9   | W47  | emergency     | domestic_violence | 0.95 | emergency    | guardrail     | domestic_violence ✓ |
| 1001  | c10  | W47  | greet         | None              | 0.02 | out_of_scope |               |                   |

Conversations: c1 answer + "helped" (contained); c2 answer + "didn't help" (handoff_reason feedback); c3 hello,
clarify, picks family, answer (contained); c4 asks for a lawyer, consents (twice recorded), fills the form
(its typed answers are *not* messages), lead delivered; c5 high stakes, declines the offer; c6 low confidence,
accepts, declines consent; c7 answer + "helped" (contained); c8 answer, then asks for a lawyer, consents, delivered;
c9 emergency, consents, queued; c10 only says hello (contained, no answer).

Leads: L1 (c4, immigration, user_request, created W46, retained after 10 days), L2 (c8, consumer,
user_request, W47, not_retained after 4 days), L3 (c9, domestic_violence, guardrail, W47, contacted: open).
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, insert

from handoff.conversations.repository import TOPICS, ensure_events_table, events
from handoff.db import make_engine
from handoff.leads.models import Lead
from handoff.model_registry import load_models
from handoff.nlu_inbox.models import NluLabel

UTC = dt.timezone.utc
W45 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC)   # Monday of ISO week 2026-W45
W46 = dt.datetime(2026, 11, 9, 10, 0, tzinfo=UTC)
W47 = dt.datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


class Events:
    """Collects tracker rows; each helper advances the conversation's clock by one second."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self._next_auto_id = 10_000

    def _row(self, sender: str, at: dt.datetime, kind: str, data: dict, *, event_id: int | None = None,
             intent: str | None = None, action: str | None = None) -> None:
        if event_id is None:
            self._next_auto_id += 1
            event_id = self._next_auto_id
        data = {"event": kind, "timestamp": at.timestamp(), **data}
        self.rows.append({"id": event_id, "sender_id": sender, "type_name": kind, "timestamp": at.timestamp(),
                          "intent_name": intent, "action_name": action, "data": json.dumps(data)})


class Conversation:
    def __init__(self, log: Events, sender: str, start: dt.datetime) -> None:
        self.log, self.sender, self.clock = log, sender, start
        self._event("session_started", {})
        self._event("action", {"name": "action_listen"}, action="action_listen")

    def _tick(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=1)
        return self.clock

    def _event(self, kind: str, data: dict, **kwargs) -> None:
        self.log._row(self.sender, self._tick(), kind, data, **kwargs)

    def user(self, text: str, *, event_id: int | None = None, intent: str | None = None, topic: str | None = None,
             confidence: float = 0.0, decision: str | None = None, reason: str | None = None,
             ranking: list[tuple[str, float]] | None = None, triage: bool = True) -> "Conversation":
        if ranking is None:
            ranking = [(topic, confidence)] if topic else []
            if intent and intent not in TOPICS and intent != "nlu_fallback":
                ranking = [(intent, 0.9)] + ranking
        parse = {
            "intent": {"name": intent, "confidence": ranking[0][1] if ranking else 1.0},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "text": text,
        }
        if triage:
            parse["triage"] = {"decision": decision, "topic": topic, "confidence": confidence, "reason": reason}
        self._event("user", {"text": text, "parse_data": parse, "input_channel": "rest"}, event_id=event_id,
                    intent=intent)
        return self

    def payload(self, text: str) -> "Conversation":
        intent = text[1:].split("{", 1)[0]
        return self.user(text, intent=intent, ranking=[(intent, 1.0)], triage=False)

    def slot(self, name: str, value) -> "Conversation":
        self._event("slot", {"name": name, "value": value})
        return self

    def bot(self, text: str, buttons: list[dict] | None = None) -> "Conversation":
        self._event("bot", {"text": text, "data": {"buttons": buttons or []}, "metadata": {}})
        return self

    def form(self, active: bool) -> "Conversation":
        self._event("active_loop", {"name": "lead_form" if active else None})
        return self

    def answer(self, topic: str, confidence: float, article: str) -> "Conversation":
        self.bot(f"Article {article}", [{"title": "This helped", "payload": "/feedback_helpful"}])
        self.slot("last_answer", {"article_id": article, "topic": topic, "confidence": confidence, "score": 0.6})
        self.slot("pending", "feedback").slot("topic", topic)
        return self

    def feedback(self, helpful: bool, topic: str, confidence: float, article: str) -> "Conversation":
        self.payload("/feedback_helpful" if helpful else "/feedback_not_helpful")
        self.slot("answer_feedback", {"article_id": article, "topic": topic, "confidence": confidence, "score": 0.6,
                                      "helpful": helpful})
        return self

    def offer(self, reason: str) -> "Conversation":
        self.bot("Would you like me to connect you with a lawyer?")
        return self.slot("pending", "lawyer_offer").slot("handoff_reason", reason)

    def lead_form(self, consent: bool, outcome: str, n: int) -> "Conversation":
        self.form(True)
        self.bot("Before I ask for your contact details... Do you agree?")
        self.payload("/affirm" if consent else "/deny")
        self.slot("consent", consent)
        if consent:
            self.slot("consent", True)  # Rasa records the extraction and the validation: counted once
            for text in ("Test Person", f"test-{n}@example.com", "TX", "high"):
                # Typed answers inside the form: user events, but not messages to classify.
                self.user(text, intent="nlu_fallback", topic="housing", confidence=0.3, decision="handoff",
                          reason="low_confidence")
            self.payload("/affirm")
        self.form(False)
        for slot in ("consent", "full_name", "pending", "handoff_reason"):
            self.slot(slot, None)
        return self.slot("lead_status", outcome)


def tracker_rows() -> list[dict]:
    log = Events()
    (Conversation(log, "c1", W45)
     .user("My landlord won't give back my security deposit", event_id=101, intent="housing", topic="housing",
           confidence=0.9, decision="answer")
     .slot("topic", "housing").slot("confidence", 0.9).answer("housing", 0.9, "housing-deposit")
     .feedback(True, "housing", 0.9, "housing-deposit"))
    (Conversation(log, "c2", W45 + dt.timedelta(hours=1))
     .user("I was fired and my last paycheck never came", event_id=201, intent="employment", topic="employment",
           confidence=0.8, decision="answer")
     .slot("topic", "employment").answer("employment", 0.8, "employment-wages")
     .feedback(False, "employment", 0.8, "employment-wages")
     .slot("pending", "rephrase").slot("handoff_reason", "feedback"))
    (Conversation(log, "c3", W45 + dt.timedelta(days=2))
     .user("hello", event_id=301, intent="greet", topic=None, confidence=0.05, decision="out_of_scope",
           ranking=[("greet", 0.95), ("housing", 0.05)])
     .bot("Hi, I'm the LegalAid assistant.")
     .user("my ex and I are splitting up and fighting about the kids", event_id=302, intent="nlu_fallback",
           topic="divorce", confidence=0.4, decision="clarify", reason="ambiguous",
           ranking=[("divorce", 0.4), ("family", 0.35)])
     .slot("topic", "divorce").slot("pending", "clarify").slot("clarified", True)
     .payload('/choose_topic{"topic":"family"}').slot("pending", None).slot("topic", "family")
     .answer("family", 0.4, "family-custody"))
    (Conversation(log, "c4", W46)
     .user("I need a lawyer for my immigration case", event_id=401, intent="request_lawyer", topic="immigration",
           confidence=0.7, decision="handoff", reason="user_request")
     .slot("topic", "immigration").slot("handoff_reason", "user_request")
     .lead_form(True, "delivered", 1))
    (Conversation(log, "c5", W46 + dt.timedelta(hours=3))
     .user("the police arrested my son last night", event_id=501, intent="crime", topic="crime", confidence=0.85,
           decision="handoff", reason="high_stakes")
     .slot("topic", "crime").offer("high_stakes").payload("/deny").slot("pending", None))
    (Conversation(log, "c6", W46 + dt.timedelta(days=4))
     .user("car crash and now I got papers from a court", event_id=601, intent="nlu_fallback", topic="traffic",
           confidence=0.2, decision="handoff", reason="low_confidence")
     .slot("topic", "traffic").offer("low_confidence").payload("/affirm")
     .lead_form(False, "declined", 2))
    (Conversation(log, "c7", W47)
     .user("my boss is not paying my overtime", event_id=701, intent="employment", topic="employment",
           confidence=0.7, decision="answer")
     .slot("topic", "employment").answer("employment", 0.7, "employment-overtime")
     .feedback(True, "employment", 0.7, "employment-overtime"))
    (Conversation(log, "c8", W47 + dt.timedelta(hours=2))
     .user("the bank keeps charging me fees", event_id=801, intent="consumer", topic="consumer", confidence=0.6,
           decision="answer")
     .slot("topic", "consumer").answer("consumer", 0.6, "consumer-fees")
     .payload("/request_lawyer").slot("handoff_reason", "user_request")
     .lead_form(True, "delivered", 3))
    (Conversation(log, "c9", W47 + dt.timedelta(days=1))
     .user("my ex is threatening to hurt me", event_id=901, intent="emergency", topic="domestic_violence",
           confidence=0.95, decision="emergency", reason="guardrail")
     .slot("topic", "domestic_violence").offer("guardrail").payload("/affirm")
     .lead_form(True, "queued", 4))
    (Conversation(log, "c10", W47 + dt.timedelta(days=3))
     .user("hi", event_id=1001, intent="greet", topic=None, confidence=0.02, decision="out_of_scope",
           ranking=[("greet", 0.98), ("family", 0.02)]))
    return log.rows


LABELS = {101: "housing", 201: "employment", 301: "out_of_scope", 302: "family", 401: "immigration", 501: "crime",
          601: "torts", 701: "employment", 801: "housing", 901: "domestic_violence"}
SENDERS = {101: "c1", 201: "c2", 301: "c3", 302: "c3", 401: "c4", 501: "c5", 601: "c6", 701: "c7", 801: "c8", 901: "c9"}
PREDICTED = {101: "housing", 201: "employment", 301: None, 302: "divorce", 401: "immigration", 501: "crime",
             601: "traffic", 701: "employment", 801: "consumer", 901: "domestic_violence"}


def inbox_labels() -> list[NluLabel]:
    """The reviews of the NLU inbox: confirmed where the prediction was right, relabelled where it was wrong,
    out of scope for the greeting; plus a skipped review (no label) and an outdated review never stored twice
    (one row per event), so the gold labels are exactly LABELS."""
    rows = []
    for i, (event_id, gold) in enumerate(LABELS.items()):
        status = "out_of_scope" if gold == "out_of_scope" else "confirmed" if PREDICTED[event_id] == gold else "relabelled"
        rows.append(NluLabel(event_id=event_id, sender_id=SENDERS[event_id], text="[redacted]", label=gold, status=status,
                             predicted_topic=PREDICTED[event_id], reviewer="reviewer@staff.example.org",
                             labelled_at=W47 + dt.timedelta(days=7, minutes=i)))
    rows.append(NluLabel(event_id=1001, sender_id="c10", text="hi", label=None, status="skipped",
                         reviewer="reviewer@staff.example.org", labelled_at=W47 + dt.timedelta(days=8)))
    return rows


def lead(id: int, conversation: str, topic: str, reason: str, status: str, created: dt.datetime,
         closed_after_days: float | None) -> Lead:
    return Lead(
        id=id, idempotency_key=conversation, conversation_id=conversation, topic=topic, nlu_confidence=0.5,
        handoff_reason=reason, name="Test Person", email=f"test-{id}@example.com", preferred_contact="email",
        urgency="normal", consent_version="2026-11-26", consent_at=created, status=status, queue="panel",
        created_at=created, updated_at=created,
        closed_at=created + dt.timedelta(days=closed_after_days) if closed_after_days is not None else None,
    )


def leads() -> list[Lead]:
    return [
        lead(1, "c4", "immigration", "user_request", "retained", W46 + dt.timedelta(minutes=5), 10),
        lead(2, "c8", "consumer", "user_request", "not_retained", W47 + dt.timedelta(hours=2, minutes=5), 4),
        lead(3, "c9", "domestic_violence", "guardrail", "contacted", W47 + dt.timedelta(days=1, minutes=5), None),
    ]


def build_databases(directory) -> tuple[str, str, Engine, Engine]:
    from sqlalchemy.orm import Session

    app_url = f"sqlite:///{directory / 'app.db'}"
    tracker_url = f"sqlite:///{directory / 'tracker.db'}"
    app_engine, tracker_engine = make_engine(app_url), make_engine(tracker_url)
    load_models().create_all(app_engine)
    with Session(app_engine) as session:
        session.add_all(leads())
        session.add_all(inbox_labels())
        session.commit()
    ensure_events_table(tracker_engine)
    with tracker_engine.begin() as connection:
        connection.execute(insert(events), tracker_rows())
    return app_url, tracker_url, app_engine, tracker_engine
