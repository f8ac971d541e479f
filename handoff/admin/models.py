"""The admin audit log: who changed what, when, on which target. Append-only; never personal data of leads."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ..db_types import UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The staff user (None for the command line and the system); `actor` keeps a readable label
    # ("admin@example.org", "cli", "system") that survives any later change of the user.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(254))
    # A dotted verb, e.g. "lead.status", "lawyer.create", "user.update", "transcripts.purge".
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(128))
    # Facts about the change (statuses, field names, counts), never a lead's personal data.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
