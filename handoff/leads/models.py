"""Leads (a person's request for a lawyer), their audited history and staff notes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from ..db_types import UTCDateTime, utcnow
from ..lawyers.models import Lawyer
from .enums import TERMINAL_STATUSES, LeadStatus


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_leads_idempotency_key"),
        Index("ix_leads_status_created_at", "status", "created_at"),
        Index("ix_leads_lawyer_status", "lawyer_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Key of POST /api/leads (the conversation id for the bot) and a hash of the body it came with.
    idempotency_key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))

    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    topic: Mapped[str] = mapped_column(String(32), index=True)
    nlu_confidence: Mapped[float | None] = mapped_column(Float)
    handoff_reason: Mapped[str] = mapped_column(String(32), index=True)

    # Personal data: erased by delete_person_data, never logged.
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str | None] = mapped_column(Text)
    opposing_party: Mapped[str | None] = mapped_column(String(200))

    state: Mapped[str | None] = mapped_column(String(2), index=True)
    zip: Mapped[str | None] = mapped_column(String(5))
    preferred_contact: Mapped[str] = mapped_column(String(8))
    urgency: Mapped[str] = mapped_column(String(16))

    consent_version: Mapped[str] = mapped_column(String(32))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())

    status: Mapped[str] = mapped_column(String(32), default=LeadStatus.new.value)
    queue: Mapped[str] = mapped_column(String(16), index=True)
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="SET NULL"))
    lost_reason: Mapped[str | None] = mapped_column(String(500))

    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pii_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    lawyer: Mapped[Lawyer | None] = relationship(lazy="joined")
    history: Mapped[list[LeadHistory]] = relationship(
        back_populates="lead", cascade="all, delete-orphan", order_by="(LeadHistory.at, LeadHistory.id)"
    )
    notes: Mapped[list[LeadNote]] = relationship(
        back_populates="lead", cascade="all, delete-orphan", order_by="(LeadNote.created_at, LeadNote.id)"
    )

    @property
    def is_open(self) -> bool:
        return LeadStatus(self.status) not in TERMINAL_STATUSES

    @property
    def days_to_close(self) -> float | None:
        """Days from creation to retained / not_retained / closed; None while the lead is open."""
        if self.closed_at is None or self.created_at is None:
            return None
        return round((self.closed_at - self.created_at).total_seconds() / 86400, 2)


class LeadHistory(Base):
    """Audit trail of a lead: status changes, (re)assignments, notifications, erasure. Never holds personal data."""

    __tablename__ = "lead_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="history")


class LeadNote(Base):
    __tablename__ = "lead_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="notes")
