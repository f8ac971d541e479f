"""Lawyers of the referral panels (and legal-aid organisations that take the fallback queue)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from ..db_types import UTCDateTime, utcnow


class Lawyer(Base):
    __tablename__ = "lawyers"
    __table_args__ = (
        UniqueConstraint("email", name="uq_lawyers_email"),
        CheckConstraint("capacity >= 0", name="ck_lawyers_capacity_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    firm: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    reduced_fee: Mapped[bool] = mapped_column(Boolean, default=False)
    # A legal-aid organisation: never auto-matched; staff hand it leads of the legal_aid queue.
    is_legal_aid: Mapped[bool] = mapped_column(Boolean, default=False)
    # Maximum number of open (assigned, contacted, consultation_scheduled) leads at once.
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Fair rotation: the least recently assigned lawyer of a panel gets the next lead.
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    practice_area_rows: Mapped[list[LawyerPracticeArea]] = relationship(
        back_populates="lawyer", cascade="all, delete-orphan", lazy="selectin", order_by="LawyerPracticeArea.topic"
    )
    license_rows: Mapped[list[LawyerLicense]] = relationship(
        back_populates="lawyer", cascade="all, delete-orphan", lazy="selectin", order_by="LawyerLicense.state"
    )

    @property
    def practice_areas(self) -> list[str]:
        return sorted(row.topic for row in self.practice_area_rows)

    @practice_areas.setter
    def practice_areas(self, topics: list[str]) -> None:
        wanted = set(topics)
        self.practice_area_rows = [row for row in self.practice_area_rows if row.topic in wanted]
        have = {row.topic for row in self.practice_area_rows}
        self.practice_area_rows.extend(LawyerPracticeArea(topic=t) for t in sorted(wanted - have))

    @property
    def states(self) -> list[str]:
        return sorted(row.state for row in self.license_rows)

    @states.setter
    def states(self, states: list[str]) -> None:
        wanted = set(states)
        self.license_rows = [row for row in self.license_rows if row.state in wanted]
        have = {row.state for row in self.license_rows}
        self.license_rows.extend(LawyerLicense(state=s) for s in sorted(wanted - have))


class LawyerPracticeArea(Base):
    __tablename__ = "lawyer_practice_areas"
    __table_args__ = (Index("ix_lawyer_practice_areas_topic", "topic"),)

    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), primary_key=True)

    lawyer: Mapped[Lawyer] = relationship(back_populates="practice_area_rows")


class LawyerLicense(Base):
    """A state where the lawyer is licensed (admitted to the bar)."""

    __tablename__ = "lawyer_licenses"
    __table_args__ = (Index("ix_lawyer_licenses_state", "state"),)

    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)

    lawyer: Mapped[Lawyer] = relationship(back_populates="license_rows")
