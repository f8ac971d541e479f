"""NLU inbox: index the tracker store's user messages, list them for review, store reviewers' labels.

Messages come from Rasa's tracker store through handoff.conversations.repository (read-only).
`sync_index` copies what the inbox filters on (event id, sender, time, predicted topic, confidence;
no text) into `nlu_inbox_messages`, incrementally, so filtering, sorting and paging run in SQL.
The text shown and stored is always redacted (handoff.redaction); the raw text never leaves the
tracker store.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.models import StaffUser
from ..conversations import repository
from ..db_types import utcnow
from ..redaction import redact_with_counts
from ..service_errors import InvalidInput, NotFound
from .models import STATUSES, InboxMessage, NluLabel

TOPICS: tuple[str, ...] = repository.TOPICS
# Intents of bot/domain.yml that the classifier learns from examples (nlu_data/conversation.yml).
CONVERSATION_INTENTS: tuple[str, ...] = (
    "greet", "goodbye", "thanks", "affirm", "deny", "request_lawyer", "out_of_scope", "bot_challenge", "help",
    "something_else",
)
# The learned safety intent (nlu_data/safety): a reviewer can teach it a missed emergency.
SAFETY_INTENTS: tuple[str, ...] = ("emergency",)
LABELS: tuple[str, ...] = TOPICS + CONVERSATION_INTENTS + SAFETY_INTENTS
ACTIONS: tuple[str, ...] = ("confirm", "relabel", "out_of_scope", "skip")
STATUS_FILTERS: tuple[str, ...] = ("unreviewed", "reviewed", "all", *STATUSES)
MAX_BULK = 200


# --- the message index ----------------------------------------------------------------------------------

def _as_utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


def sync_index(session: Session, tracker: Engine) -> int:
    """Add the tracker store's new user messages to the index. Returns how many were added."""
    last = session.scalar(select(func.max(InboxMessage.message_at)))
    # A second of overlap: timestamps are floats and several events can share one.
    since = last.timestamp() - 1.0 if last is not None else None
    known: set[int] = set()
    if last is not None:
        known = set(session.scalars(select(InboxMessage.event_id).where(InboxMessage.message_at >= _as_utc(since))))
    added = 0
    for message in repository.iter_user_messages(tracker, since=since):
        if message.event_id in known:
            continue
        known.add(message.event_id)
        session.add(InboxMessage(
            event_id=message.event_id,
            sender_id=message.sender_id[:255],
            message_at=message.at,
            predicted_intent=(message.intent or None) and message.intent[:64],
            predicted_topic=(message.topic or None) and message.topic[:64],
            confidence=round(float(message.confidence or 0.0), 6),
            ranking=[{"name": r["name"], "confidence": round(r["confidence"], 4)} for r in message.ranking[:9]],
        ))
        added += 1
    if added:
        try:
            session.commit()
        except IntegrityError:  # another request synced the same events at the same time
            session.rollback()
            return 0
    return added


def predicted_label(intent: str | None, topic: str | None) -> str | None:
    """What "confirm" means: the predicted intent when it is a label (e.g. greet), else the top topic."""
    if intent in LABELS:
        return intent
    return topic if topic in LABELS else None


# --- listing ----------------------------------------------------------------------------------------------

@dataclass
class InboxFilters:
    status: str = "unreviewed"
    min_confidence: float | None = None
    max_confidence: float | None = None
    topic: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive

    def as_query(self) -> dict:
        return {
            "status": None if self.status == "unreviewed" else self.status,
            "min_conf": None if self.min_confidence is None else f"{self.min_confidence:g}",
            "max_conf": None if self.max_confidence is None else f"{self.max_confidence:g}",
            "topic": self.topic,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }


@dataclass
class InboxRow:
    event_id: int
    sender_id: str
    message_at: dt.datetime
    text: str
    predicted_intent: str | None
    predicted_topic: str | None
    confidence: float
    ranking: list[dict]
    label: NluLabel | None = None
    redactions: dict = field(default_factory=dict)

    @property
    def predicted(self) -> str | None:
        return predicted_label(self.predicted_intent, self.predicted_topic)

    @property
    def shortcuts(self) -> list[str]:
        """Labels for the keys 1-9: the predicted label, then the ranked topics."""
        seen: list[str] = []
        for name in [self.predicted, *(r.get("name") for r in self.ranking)]:
            if name in LABELS and name not in seen:
                seen.append(name)
        return seen[:9]


@dataclass
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int
    per_page: int


def _filtered(filters: InboxFilters):
    query = select(InboxMessage, NluLabel).outerjoin(NluLabel, NluLabel.event_id == InboxMessage.event_id)
    if filters.status == "unreviewed":
        query = query.where(NluLabel.id.is_(None))
    elif filters.status == "reviewed":
        query = query.where(NluLabel.id.is_not(None), NluLabel.status != "skipped")
    elif filters.status in STATUSES:
        query = query.where(NluLabel.status == filters.status)
    if filters.min_confidence is not None:
        query = query.where(InboxMessage.confidence >= filters.min_confidence)
    if filters.max_confidence is not None:
        query = query.where(InboxMessage.confidence <= filters.max_confidence)
    if filters.topic:
        query = query.where(or_(InboxMessage.predicted_topic == filters.topic, InboxMessage.predicted_intent == filters.topic))
    if filters.date_from:
        query = query.where(InboxMessage.message_at >= dt.datetime.combine(filters.date_from, dt.time(), dt.UTC))
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(InboxMessage.message_at < end)
    return query


def list_inbox(
    session: Session, tracker: Engine, filters: InboxFilters, *, page: int = 1, per_page: int = 50, sync: bool = True
) -> InboxPage:
    """One page of messages, lowest confidence first, with their redacted text and any label."""
    if sync:
        sync_index(session, tracker)
    base = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    query = base.order_by(InboxMessage.confidence.asc(), InboxMessage.message_at.desc(), InboxMessage.event_id.desc())
    rows: list[InboxRow] = []
    gone: list[int] = []
    for message, label in session.execute(query.offset((page - 1) * per_page).limit(per_page)).all():
        if label is not None:
            text, counts = label.text, dict(label.redactions or {})
        else:
            logged = repository.get_user_message(tracker, message.event_id)
            if logged is None:  # the conversation was deleted from the tracker store
                gone.append(message.event_id)
                continue
            redaction = redact_with_counts(logged.text)
            text, counts = redaction.text, redaction.counts
        rows.append(InboxRow(
            event_id=message.event_id, sender_id=message.sender_id, message_at=message.message_at, text=text,
            predicted_intent=message.predicted_intent, predicted_topic=message.predicted_topic,
            confidence=message.confidence, ranking=list(message.ranking or []), label=label, redactions=counts,
        ))
    if gone:
        session.execute(delete(InboxMessage).where(InboxMessage.event_id.in_(gone)))
        session.commit()
    return InboxPage(rows=rows, total=total - len(gone), page=page, pages=pages, per_page=per_page)


def status_counts(session: Session) -> dict[str, int]:
    counts = {status: 0 for status in STATUSES}
    for status, n in session.execute(select(NluLabel.status, func.count()).group_by(NluLabel.status)):
        counts[status] = n
    counts["unreviewed"] = session.scalar(
        select(func.count()).select_from(InboxMessage).outerjoin(NluLabel, NluLabel.event_id == InboxMessage.event_id)
        .where(NluLabel.id.is_(None))
    ) or 0
    return counts


def topics_in_index(session: Session) -> list[str]:
    return sorted(t for t in session.scalars(select(InboxMessage.predicted_topic).distinct()) if t)


# --- labelling ---------------------------------------------------------------------------------------------

def _decide(action: str, label: str | None, predicted: str | None) -> tuple[str, str | None]:
    """(status, label) for an action, or InvalidInput."""
    if action == "confirm":
        if predicted is None:
            raise InvalidInput([("action", "There is no prediction to confirm: choose a label instead.")])
        return "confirmed", predicted
    if action == "relabel":
        if label not in LABELS:
            raise InvalidInput([("label", "Choose one of the 16 topics, a conversational intent or emergency.")])
        if label == "out_of_scope":
            return "out_of_scope", "out_of_scope"
        return ("confirmed" if label == predicted else "relabelled"), label
    if action == "out_of_scope":
        return "out_of_scope", "out_of_scope"
    if action == "skip":
        return "skipped", None
    raise InvalidInput([("action", "Unknown action.")])


def label_message(
    session: Session, tracker: Engine, *, event_id: int, action: str, reviewer: StaffUser, label: str | None = None,
    commit: bool = True,
) -> NluLabel:
    """Record (or change) a reviewer's decision about one logged user message."""
    message = repository.get_user_message(tracker, event_id)
    if message is None or not repository.is_free_text(message.text):
        raise NotFound(f"Message {event_id} is not in the tracker store (deleted, or not a user message).")
    predicted = predicted_label(message.intent, message.topic)
    status, final = _decide(action, label, predicted)
    redaction = redact_with_counts(message.text)
    row = session.scalar(select(NluLabel).where(NluLabel.event_id == event_id))
    if row is None:
        row = NluLabel(event_id=event_id)
        session.add(row)
    row.sender_id = message.sender_id[:255]
    row.text = redaction.text
    row.redactions = redaction.counts
    row.message_at = message.at
    row.predicted_intent = (message.intent or None) and message.intent[:64]
    row.predicted_topic = (message.topic or None) and message.topic[:64]
    row.confidence = float(message.confidence or 0.0)
    row.label = final
    row.status = status
    row.reviewer_id = reviewer.id
    row.reviewer = reviewer.email[:254]
    row.labelled_at = utcnow()
    if commit:
        session.commit()
    return row


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def bulk_label(
    session: Session, tracker: Engine, *, event_ids: Sequence[int], action: str, reviewer: StaffUser,
    label: str | None = None,
) -> BulkResult:
    """Apply one action (and label) to several messages; the ones that fail are reported, the rest kept."""
    ids = list(dict.fromkeys(int(i) for i in event_ids))
    if not ids:
        raise InvalidInput([("event_ids", "Select at least one message.")])
    if len(ids) > MAX_BULK:
        raise InvalidInput([("event_ids", f"Select at most {MAX_BULK} messages at once.")])
    if action == "relabel" and label not in LABELS:
        raise InvalidInput([("label", "Choose one of the 16 topics, a conversational intent or emergency.")])
    result = BulkResult()
    for event_id in ids:
        try:
            with session.begin_nested():
                label_message(session, tracker, event_id=event_id, action=action, label=label, reviewer=reviewer,
                              commit=False)
            result.done.append(event_id)
        except (NotFound, InvalidInput) as exc:
            result.failed[event_id] = exc.message
    session.commit()
    return result


def get_label(session: Session, event_id: int) -> NluLabel | None:
    return session.scalar(select(NluLabel).where(NluLabel.event_id == event_id))


def reviewed_labels(session: Session) -> list[NluLabel]:
    """Labels that become training data (confirmed, relabelled, out of scope), oldest first."""
    query = select(NluLabel).where(NluLabel.status != "skipped").order_by(NluLabel.labelled_at, NluLabel.id)
    return list(session.scalars(query))


def forget_conversation(session: Session, sender_id: str, *, keep_labels: bool = False, commit: bool = True) -> int:
    """Delete the index rows and labels of one conversation. Returns how many labels were deleted.

    A person's deletion request: call it right after repository.delete_conversation(). A retention
    purge may pass keep_labels=True to keep the (redacted) labels as training data.
    """
    deleted = 0
    if not keep_labels:
        deleted = session.execute(delete(NluLabel).where(NluLabel.sender_id == sender_id)).rowcount or 0
    session.execute(delete(InboxMessage).where(InboxMessage.sender_id == sender_id))
    if commit:
        session.commit()
    return deleted


def forget_missing(session: Session, tracker: Engine, sender_ids: Iterable[str] | None = None) -> int:
    """Drop index rows and labels of conversations no longer in the tracker store (after a retention purge)."""
    candidates = set(sender_ids) if sender_ids is not None else set(
        session.scalars(select(InboxMessage.sender_id).distinct())
    ) | set(session.scalars(select(NluLabel.sender_id).distinct()))
    removed = 0
    for sender_id in sorted(candidates):
        if not any(True for _ in repository.iter_user_messages(tracker, sender_id=sender_id, free_text_only=False)):
            removed += forget_conversation(session, sender_id, commit=False)
    session.commit()
    return removed


__all__ = [
    "ACTIONS", "CONVERSATION_INTENTS", "LABELS", "SAFETY_INTENTS", "STATUS_FILTERS", "TOPICS", "BulkResult", "InboxFilters", "InboxPage",
    "InboxRow", "bulk_label", "forget_conversation", "forget_missing", "get_label", "label_message", "list_inbox",
    "predicted_label", "reviewed_labels", "status_counts", "sync_index", "topics_in_index",
]
