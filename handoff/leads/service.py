"""Lead service functions: creation with matching, the pipeline, assignment, notes, erasure, listing.

Every function takes keyword-only arguments after the session and commits its own unit of
work. Nothing here logs personal data: logs carry lead ids, topics and statuses only.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db_types import utcnow
from ..lawyers.models import Lawyer
from ..lawyers.service import get_lawyer, open_lead_counts
from ..notifications.base import Message, Notifier
from ..service_errors import Conflict, InvalidInput, NotFound
from .enums import (
    TERMINAL_STATUSES,
    TRANSITIONS,
    ContactMethod,
    HistoryEvent,
    LeadStatus,
    Queue,
)
from .matching import find_lawyer, lead_state
from .models import Lead, LeadHistory, LeadNote
from .schemas import LeadCreate

logger = logging.getLogger(__name__)

DELETED = "[deleted]"
SYSTEM = "system"

SortKey = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "id", "-id",
    "status", "-status", "topic", "-topic", "urgency", "-urgency",
]
SORT_KEYS: tuple[str, ...] = SortKey.__args__  # type: ignore[attr-defined]
_URGENCY_RANK = {"low": 0, "normal": 1, "high": 2, "emergency": 3}


# SQLite has one writer at a time. Writers of this process queue on a lock instead of meeting in
# SQLite's busy handler, whose sleeps (up to 100 ms each) made the latency tail long.
_SQLITE_WRITER = threading.RLock()


@contextmanager
def _single_writer(session: Session) -> Iterator[None]:
    if session.get_bind().dialect.name == "sqlite":
        with _SQLITE_WRITER:
            yield
    else:
        yield


@dataclass
class LeadPageResult:
    items: list[Lead]
    total: int
    page: int
    per_page: int


# --- reading -----------------------------------------------------------------------------------

def get_lead(session: Session, *, lead_id: int, lock: bool = False) -> Lead:
    query = select(Lead).where(Lead.id == lead_id)
    if lock:
        query = query.with_for_update(of=Lead)
    lead = session.scalar(query)
    if lead is None:
        raise NotFound(f"lead {lead_id} not found")
    return lead


def get_lead_by_idempotency_key(session: Session, *, key: str) -> Lead | None:
    return session.scalar(select(Lead).where(Lead.idempotency_key == key))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _as_list(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] or None


def list_leads(
    session: Session,
    *,
    status: str | Sequence[str] | None = None,
    topic: str | Sequence[str] | None = None,
    queue: str | None = None,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
    lawyer_id: int | None = None,
    reason: str | Sequence[str] | None = None,
    q: str | None = None,
    sort: str = "-created_at",
    page: int = 1,
    per_page: int = 25,
) -> LeadPageResult:
    """Leads filtered and paginated; `date_to` is inclusive for dates. Returns items and total."""
    if page < 1 or not 1 <= per_page <= 100:
        raise InvalidInput([("page" if page < 1 else "per_page", "page ≥ 1 and 1 ≤ per_page ≤ 100")])
    if sort not in SORT_KEYS:
        raise InvalidInput([("sort", f"must be one of {', '.join(SORT_KEYS)}")])
    query = select(Lead)
    if (statuses := _as_list(status)) is not None:
        query = query.where(Lead.status.in_(statuses))
    if (topics := _as_list(topic)) is not None:
        query = query.where(Lead.topic.in_(topics))
    if (reasons := _as_list(reason)) is not None:
        query = query.where(Lead.handoff_reason.in_(reasons))
    if queue is not None:
        query = query.where(Lead.queue == str(queue))
    if lawyer_id is not None:
        query = query.where(Lead.lawyer_id == lawyer_id)
    if date_from is not None:
        query = query.where(Lead.created_at >= _start(date_from))
    if date_to is not None:
        query = query.where(Lead.created_at < _end(date_to))
    if q and q.strip():
        pattern = f"%{_escape_like(q.strip().lower())}%"
        fields = [Lead.name, Lead.email, Lead.phone, Lead.summary, Lead.opposing_party, Lead.conversation_id]
        conditions = [func.lower(field).like(pattern, escape="\\") for field in fields]
        if q.strip().isdigit():
            conditions.append(Lead.id == int(q.strip()))
        query = query.where(or_(*conditions))

    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name == "urgency":
        column = case(_URGENCY_RANK, value=Lead.urgency, else_=1)
    else:
        column = getattr(Lead, name)
    order = [column.desc() if descending else column.asc()]
    if name != "id":
        order.append(Lead.id.desc() if descending else Lead.id.asc())
    items = list(session.scalars(query.order_by(*order).limit(per_page).offset((page - 1) * per_page)))
    return LeadPageResult(items=items, total=total, page=page, per_page=per_page)


def _start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)


def _end(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value + timedelta(days=1), time.min, tzinfo=UTC)


# --- creating ----------------------------------------------------------------------------------

def _history(lead: Lead, *, event: HistoryEvent, actor: str, from_status: str | None = None,
             to_status: str | None = None, lawyer_id: int | None = None, reason: str | None = None) -> None:
    lead.history.append(
        LeadHistory(event=event.value, from_status=from_status, to_status=to_status, lawyer_id=lawyer_id,
                    actor=actor, reason=reason, at=utcnow())
    )


def _assign(lead: Lead, lawyer: Lawyer, *, actor: str, reason: str | None = None) -> None:
    event = HistoryEvent.reassigned if lead.lawyer_id is not None else HistoryEvent.assigned
    previous = lead.status
    lead.lawyer = lawyer
    lead.lawyer_id = lawyer.id
    lead.status = LeadStatus.assigned.value
    lead.queue = (Queue.legal_aid if lawyer.is_legal_aid else Queue.panel).value
    lawyer.last_assigned_at = utcnow()
    _history(lead, event=event, actor=actor, from_status=previous, to_status=LeadStatus.assigned.value,
             lawyer_id=lawyer.id, reason=reason)


def _replay(existing: Lead, fingerprint: str) -> tuple[Lead, bool]:
    if existing.request_hash is None or existing.request_hash != fingerprint:
        raise Conflict(
            "this Idempotency-Key was already used for a different lead; "
            "send a new key for a new lead, or repeat the original body exactly"
        )
    return existing, False


def create_lead(session: Session, *, data: LeadCreate, idempotency_key: str, actor: str = "bot") -> tuple[Lead, bool]:
    """Store a lead and assign it to a panel lawyer when one matches.

    Returns (lead, created). The same idempotency key with the same body returns the existing
    lead with created=False, also when two requests race; with a different body → Conflict.
    A lead that matches no lawyer stays `new` in the `legal_aid` queue; it is never dropped.
    """
    errors = data.cross_field_errors()
    if errors:
        raise InvalidInput(errors)
    fingerprint = data.fingerprint()
    existing = get_lead_by_idempotency_key(session, key=idempotency_key)
    if existing is not None:
        return _replay(existing, fingerprint)

    preferred = data.preferred_contact or (ContactMethod.email if data.email else ContactMethod.phone)
    state = lead_state(state=data.state, zip_code=data.zip)
    lead = Lead(
        idempotency_key=idempotency_key,
        request_hash=fingerprint,
        conversation_id=data.conversation_id,
        topic=data.topic.value,
        nlu_confidence=data.nlu_confidence,
        handoff_reason=data.handoff_reason.value,
        name=data.name,
        email=data.email,
        phone=data.phone,
        state=state,
        zip=data.zip,
        preferred_contact=preferred.value,
        urgency=data.urgency.value,
        summary=data.summary,
        opposing_party=data.opposing_party,
        consent_version=data.consent_version,
        consent_at=data.consent_at,
        status=LeadStatus.new.value,
        queue=Queue.legal_aid.value,
    )
    _history(lead, event=HistoryEvent.created, actor=actor, to_status=LeadStatus.new.value)
    with _single_writer(session):
        session.add(lead)
        try:
            # The insert comes first: it takes SQLite's write lock (so matching below is serialised)
            # and trips the unique idempotency key at once when a duplicate races us.
            session.flush()
        except IntegrityError:
            session.rollback()
            existing = get_lead_by_idempotency_key(session, key=idempotency_key)
            if existing is None:
                raise
            logger.info("lead %s: concurrent duplicate with the same idempotency key", existing.id)
            return _replay(existing, fingerprint)

        lawyer = find_lawyer(session, topic=lead.topic, state=state)
        if lawyer is not None:
            _assign(lead, lawyer, actor=SYSTEM, reason="matched on topic and state" if state else "matched on topic")
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = get_lead_by_idempotency_key(session, key=idempotency_key)
            if existing is None:
                raise
            return _replay(existing, fingerprint)
    logger.info("lead %s created: topic=%s queue=%s status=%s lawyer=%s", lead.id, lead.topic, lead.queue,
                lead.status, lead.lawyer_id)
    return lead, True


# --- pipeline ----------------------------------------------------------------------------------

def change_status(session: Session, *, lead_id: int, new_status: str, actor: str, reason: str | None = None) -> Lead:
    """Move a lead along the pipeline; invalid transitions raise Conflict (HTTP 409)."""
    try:
        target = LeadStatus(new_status)
    except ValueError:
        raise InvalidInput([("status", f"unknown status {new_status!r}")]) from None
    lead = get_lead(session, lead_id=lead_id, lock=True)
    current = LeadStatus(lead.status)
    if target == current:
        raise Conflict(f"lead {lead_id} is already {current.value}")
    allowed = TRANSITIONS[current]
    if target not in allowed:
        if current in TERMINAL_STATUSES:
            raise Conflict(f"cannot change status from {current.value} to {target.value}: the lead is finished")
        names = ", ".join(sorted(s.value for s in allowed))
        raise Conflict(f"cannot change status from {current.value} to {target.value}; allowed next: {names}")
    if target == LeadStatus.assigned and lead.lawyer_id is None:
        raise Conflict("cannot mark the lead assigned: it has no lawyer; assign a lawyer instead")
    reason = reason.strip() if reason else None
    if target == LeadStatus.not_retained and not reason:
        raise InvalidInput([("reason", "a reason is required when the person did not retain the lawyer")])

    lead.status = target.value
    if target in TERMINAL_STATUSES:
        lead.closed_at = utcnow()
        if target in (LeadStatus.not_retained, LeadStatus.closed) and reason:
            lead.lost_reason = reason
    _history(lead, event=HistoryEvent.status, actor=actor, from_status=current.value, to_status=target.value,
             lawyer_id=lead.lawyer_id, reason=reason)
    session.commit()
    logger.info("lead %s: %s -> %s by %s", lead.id, current.value, target.value, actor)
    return lead


def assign_lead(
    session: Session,
    *,
    lead_id: int,
    lawyer_id: int,
    actor: str,
    reason: str | None = None,
    respect_capacity: bool = True,
    notifier: Notifier | None = None,
) -> Lead:
    """Assign or reassign a lead (staff). The lead goes (back) to `assigned` with the new lawyer,
    who is told through `notifier` when one is given (a failure never undoes the assignment).

    Legal-aid organisations may be given leads too (the lead then stays in the legal_aid queue).
    """
    lead = get_lead(session, lead_id=lead_id, lock=True)
    if not lead.is_open:
        raise Conflict(f"lead {lead_id} is {lead.status}; finished leads cannot be reassigned")
    lawyer = get_lawyer(session, lawyer_id=lawyer_id)
    if not lawyer.active:
        raise Conflict(f"lawyer {lawyer_id} is inactive")
    if lead.lawyer_id == lawyer.id:
        raise Conflict(f"lead {lead_id} is already assigned to lawyer {lawyer_id}")
    if respect_capacity:
        if open_lead_counts(session, lawyer_ids=[lawyer.id])[lawyer.id] >= lawyer.capacity:
            raise Conflict(f"lawyer {lawyer_id} is at capacity ({lawyer.capacity} open leads)")
    _assign(lead, lawyer, actor=actor, reason=reason)
    session.commit()
    logger.info("lead %s assigned to lawyer %s by %s", lead.id, lawyer.id, actor)
    if notifier is not None:
        notify_assigned_lawyer(session, lead=lead, notifier=notifier)
    return lead


def rematch_lead(session: Session, *, lead_id: int, actor: str, notifier: Notifier | None = None) -> Lead:
    """Run matching again for an unassigned lead (e.g. after panel changes). No match → unchanged."""
    lead = get_lead(session, lead_id=lead_id, lock=True)
    if lead.status != LeadStatus.new.value or lead.lawyer_id is not None:
        raise Conflict(f"lead {lead_id} is not an unassigned new lead")
    lawyer = find_lawyer(session, topic=lead.topic, state=lead.state)
    if lawyer is not None:
        _assign(lead, lawyer, actor=actor, reason="rematched")
    session.commit()
    if lawyer is not None and notifier is not None:
        notify_assigned_lawyer(session, lead=lead, notifier=notifier)
    return lead


def add_note(session: Session, *, lead_id: int, author: str, text: str) -> LeadNote:
    text = (text or "").strip()
    if not text:
        raise InvalidInput([("text", "a note cannot be empty")])
    if len(text) > 5000:
        raise InvalidInput([("text", "a note has at most 5000 characters")])
    if not author or len(author) > 100:
        raise InvalidInput([("author", "author is required (at most 100 characters)")])
    lead = get_lead(session, lead_id=lead_id)
    note = LeadNote(author=author, text=text, created_at=utcnow())
    lead.notes.append(note)
    session.commit()
    return note


def delete_person_data(session: Session, *, lead_id: int, actor: str) -> Lead:
    """Erase a person's data from a lead (name, email, phone, summary, opposing party, notes' text).

    The lead itself, its status and history stay for statistics; the erasure is recorded in the
    history. Calling it again is harmless.
    """
    lead = get_lead(session, lead_id=lead_id, lock=True)
    if lead.pii_deleted_at is not None:
        return lead
    lead.name = DELETED
    lead.email = None
    lead.phone = None
    lead.summary = DELETED
    lead.opposing_party = None
    # The body hash was derived from the personal data: drop it too (a replay now gets 409).
    lead.request_hash = None
    for note in lead.notes:
        note.text = DELETED
    lead.pii_deleted_at = utcnow()
    _history(lead, event=HistoryEvent.pii_deleted, actor=actor, from_status=lead.status, to_status=lead.status)
    session.commit()
    logger.info("lead %s: personal data deleted by %s", lead.id, actor)
    return lead


# --- notifications -----------------------------------------------------------------------------

def assignment_message(lead: Lead, lawyer: Lawyer) -> Message:
    contact = {"email": lead.email, "phone": lead.phone, "text": lead.phone}.get(lead.preferred_contact)
    lines = [
        f"Dear {lawyer.name},",
        "",
        f"LegalAid Chat has referred a new lead to you (lead #{lead.id}).",
        "",
        f"Topic: {lead.topic}",
        f"Urgency: {lead.urgency}",
        f"Location: {lead.state or '-'}{' ' + lead.zip if lead.zip else ''}",
        f"Name: {lead.name}",
        f"Email: {lead.email or '-'}",
        f"Phone: {lead.phone or '-'}",
        f"Preferred contact: {lead.preferred_contact} ({contact or '-'})",
        f"Opposing party (for your conflict check): {lead.opposing_party or '-'}",
        "",
        "Summary:",
        lead.summary or "-",
        "",
        "The person consented to share these details with a referral lawyer. Please contact them and update "
        "the lead's status.",
    ]
    subject = f"New referral #{lead.id}: {lead.topic} ({lead.urgency} urgency)"
    return Message(to=lawyer.email, subject=subject, body="\n".join(lines), kind="lead_assigned", lead_id=lead.id)


def notify_assigned_lawyer(session: Session, *, lead: Lead, notifier: Notifier) -> bool:
    """Tell the assigned lawyer about the lead. Never raises: a failure is logged (no personal
    data) and recorded in the lead's history for staff to follow up."""
    if lead.lawyer is None:
        return False
    try:
        notifier.send(assignment_message(lead, lead.lawyer))
        ok = True
    except Exception as exc:  # noqa: BLE001 - any delivery failure is reported the same way
        logger.warning("lead %s: notifying lawyer %s failed (%s)", lead.id, lead.lawyer_id, type(exc).__name__)
        ok = False
    try:
        with _single_writer(session):
            _history(lead, event=HistoryEvent.notified if ok else HistoryEvent.notification_failed, actor=SYSTEM,
                     lawyer_id=lead.lawyer_id)
            session.commit()
    except Exception as exc:  # noqa: BLE001 - the lead itself is already saved
        session.rollback()
        logger.warning("lead %s: could not record the notification (%s)", lead.id, type(exc).__name__)
    return ok
