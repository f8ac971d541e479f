"""Writing and reading the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.models import StaffUser
from ..db_types import utcnow
from .models import AuditEntry

CLI = "cli"
SYSTEM = "system"


def record(
    session: Session,
    *,
    actor: StaffUser | str,
    action: str,
    target_type: str,
    target_id: str | int | None = None,
    detail: dict | None = None,
    commit: bool = False,
) -> AuditEntry:
    """Add an audit entry to the session. With commit=False it is committed together with the
    change it describes (the service's own commit), so the two stand or fall together."""
    if isinstance(actor, StaffUser):
        actor_id, label = actor.id, actor.email
    else:
        actor_id, label = None, actor
    entry = AuditEntry(
        at=utcnow(), actor_id=actor_id, actor=label, action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id), detail=detail or {},
    )
    session.add(entry)
    if commit:
        session.commit()
    return entry


@dataclass
class AuditPage:
    items: list[AuditEntry]
    total: int
    page: int
    per_page: int


def list_entries(
    session: Session,
    *,
    action: str | None = None,
    actor: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(func.lower(AuditEntry.actor).contains(actor.strip().lower(), autoescape=True))
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id:
        query = query.where(AuditEntry.target_id == str(target_id))
    if date_from:
        query = query.where(AuditEntry.at >= datetime.combine(date_from, time.min, tzinfo=UTC))
    if date_to:
        query = query.where(AuditEntry.at < datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ))
    return AuditPage(items=items, total=total, page=page, per_page=per_page)


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
