"""Tables of the NLU inbox.

`nlu_labels` is what reviewers decided about a logged user message: one row per tracker event,
with the message text as redacted at labelling time (never the raw text), the model's prediction
then, the label and the status. Analytics reads it as the gold labels (event_id, label, labelled_at).

`nlu_inbox_messages` indexes the user messages of Rasa's tracker store (which lives in another
database) so the inbox can filter, sort and paginate in SQL: event id, sender, time, predicted
topic and confidence only. The message text stays in the tracker store.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ..db_types import UTCDateTime, utcnow

STATUSES: tuple[str, ...] = ("confirmed", "relabelled", "out_of_scope", "skipped")


class InboxMessage(Base):
    __tablename__ = "nlu_inbox_messages"
    __table_args__ = (
        Index("ix_nlu_inbox_messages_confidence", "confidence"),
        Index("ix_nlu_inbox_messages_message_at", "message_at"),
        Index("ix_nlu_inbox_messages_predicted_topic", "predicted_topic"),
    )

    # The id of the `user` event in Rasa's tracker store.
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sender_id: Mapped[str] = mapped_column(String(255))
    message_at: Mapped[datetime] = mapped_column(UTCDateTime())
    predicted_intent: Mapped[str | None] = mapped_column(String(64))
    predicted_topic: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    # Top topics with confidences: [{"name": ..., "confidence": ...}] (for the 1-9 shortcuts).
    ranking: Mapped[list] = mapped_column(JSON, default=list)


class NluLabel(Base):
    __tablename__ = "nlu_labels"
    __table_args__ = (
        UniqueConstraint("event_id", name="uq_nlu_labels_event_id"),
        CheckConstraint(
            "status in ('confirmed', 'relabelled', 'out_of_scope', 'skipped')", name="ck_nlu_labels_status"
        ),
        CheckConstraint("status = 'skipped' or label is not null", name="ck_nlu_labels_label_present"),
        Index("ix_nlu_labels_status", "status"),
        Index("ix_nlu_labels_labelled_at", "labelled_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer)
    sender_id: Mapped[str] = mapped_column(String(255))
    # The message as redacted when it was labelled (handoff.redaction): never the raw text.
    text: Mapped[str] = mapped_column(Text)
    message_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    predicted_intent: Mapped[str | None] = mapped_column(String(64))
    predicted_topic: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    # An intent of the domain (a topic or a conversational intent); None when skipped.
    label: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    reviewer: Mapped[str] = mapped_column(String(254))
    labelled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How many placeholders of each kind redaction put in ({"NAME": 1, ...}); no personal data.
    redactions: Mapped[dict] = mapped_column(JSON, default=dict)
