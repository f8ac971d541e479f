"""Matching a lead to a panel lawyer: topic + state, active, under capacity, fair rotation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..lawyers.models import Lawyer, LawyerLicense, LawyerPracticeArea
from ..lawyers.service import open_lead_counts
from .geo import state_for_zip


def lead_state(*, state: str | None, zip_code: str | None) -> str | None:
    """The state used for matching: the given state, else the ZIP prefix's state, else None."""
    return state or state_for_zip(zip_code)


def panel_candidates(session: Session, *, topic: str, state: str | None, lock: bool = False) -> list[Lawyer]:
    """Active panel lawyers taking the topic (and licensed in the state when one is known)."""
    ids = select(LawyerPracticeArea.lawyer_id).where(LawyerPracticeArea.topic == str(topic))
    query = select(Lawyer).where(Lawyer.id.in_(ids), Lawyer.active.is_(True), Lawyer.is_legal_aid.is_(False))
    if state:
        query = query.where(Lawyer.id.in_(select(LawyerLicense.lawyer_id).where(LawyerLicense.state == state)))
    query = query.order_by(Lawyer.id)
    if lock:
        # PostgreSQL: two leads for the same panel are matched one after the other, so capacity
        # and rotation hold under concurrency. (SQLite already has a single writer.)
        query = query.with_for_update(of=Lawyer)
    return list(session.scalars(query))


def _rotation_key(lawyer: Lawyer) -> tuple[bool, datetime | None, int]:
    # Never assigned first, then the least recently assigned; ties by id.
    return (lawyer.last_assigned_at is not None, lawyer.last_assigned_at, lawyer.id)


def find_lawyer(session: Session, *, topic: str, state: str | None, exclude_id: int | None = None) -> Lawyer | None:
    candidates = [c for c in panel_candidates(session, topic=topic, state=state, lock=True) if c.id != exclude_id]
    if not candidates:
        return None
    counts = open_lead_counts(session, lawyer_ids=[c.id for c in candidates])
    available = [c for c in candidates if counts[c.id] < c.capacity]
    if not available:
        return None
    return min(available, key=_rotation_key)
