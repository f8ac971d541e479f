"""Lawyer service functions (keyword-only arguments; each call is one committed unit of work)."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..leads.enums import CASELOAD_STATUSES
from ..leads.models import Lead
from ..service_errors import Conflict, NotFound
from .models import Lawyer, LawyerLicense, LawyerPracticeArea
from .schemas import LawyerCreate, LawyerOut, LawyerUpdate

logger = logging.getLogger(__name__)


@dataclass
class LawyerPageResult:
    items: list[Lawyer]
    total: int
    page: int
    per_page: int


def open_lead_counts(session: Session, *, lawyer_ids: Iterable[int]) -> dict[int, int]:
    """Number of open (assigned, contacted, consultation_scheduled) leads of each lawyer."""
    ids = list(lawyer_ids)
    counts = {lawyer_id: 0 for lawyer_id in ids}
    if not ids:
        return counts
    rows = session.execute(
        select(Lead.lawyer_id, func.count(Lead.id))
        .where(Lead.lawyer_id.in_(ids), Lead.status.in_([s.value for s in CASELOAD_STATUSES]))
        .group_by(Lead.lawyer_id)
    )
    counts.update({lawyer_id: count for lawyer_id, count in rows})
    return counts


def to_out(session: Session, lawyers: list[Lawyer]) -> list[LawyerOut]:
    counts = open_lead_counts(session, lawyer_ids=[lawyer.id for lawyer in lawyers])
    return [LawyerOut.model_validate({**_attrs(lawyer), "open_leads": counts[lawyer.id]}) for lawyer in lawyers]


def _attrs(lawyer: Lawyer) -> dict:
    return {name: getattr(lawyer, name) for name in LawyerOut.model_fields if name != "open_leads"}


def get_lawyer(session: Session, *, lawyer_id: int) -> Lawyer:
    lawyer = session.get(Lawyer, lawyer_id)
    if lawyer is None:
        raise NotFound(f"lawyer {lawyer_id} not found")
    return lawyer


def list_lawyers(
    session: Session,
    *,
    topic: str | None = None,
    state: str | None = None,
    active: bool | None = None,
    is_legal_aid: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> LawyerPageResult:
    query = select(Lawyer)
    if topic is not None:
        query = query.where(Lawyer.id.in_(select(LawyerPracticeArea.lawyer_id).where(LawyerPracticeArea.topic == str(topic))))
    if state is not None:
        query = query.where(Lawyer.id.in_(select(LawyerLicense.lawyer_id).where(LawyerLicense.state == state)))
    if active is not None:
        query = query.where(Lawyer.active.is_(active))
    if is_legal_aid is not None:
        query = query.where(Lawyer.is_legal_aid.is_(is_legal_aid))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(session.scalars(query.order_by(Lawyer.id).limit(per_page).offset((page - 1) * per_page)))
    return LawyerPageResult(items=items, total=total, page=page, per_page=per_page)


def _email_taken(session: Session, email: str, *, except_id: int | None = None) -> bool:
    query = select(Lawyer.id).where(func.lower(Lawyer.email) == email.lower())
    if except_id is not None:
        query = query.where(Lawyer.id != except_id)
    return session.scalar(query) is not None


def create_lawyer(session: Session, *, data: LawyerCreate) -> Lawyer:
    if _email_taken(session, data.email):
        raise Conflict("a lawyer with this email already exists")
    values = data.model_dump(exclude={"practice_areas", "states"})
    lawyer = Lawyer(**values)
    lawyer.practice_areas = [str(topic) for topic in data.practice_areas]
    lawyer.states = list(data.states)
    session.add(lawyer)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("a lawyer with this email already exists") from exc
    logger.info("lawyer %s created", lawyer.id)
    return lawyer


def update_lawyer(session: Session, *, lawyer_id: int, data: LawyerUpdate) -> Lawyer:
    lawyer = get_lawyer(session, lawyer_id=lawyer_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("email") is not None and _email_taken(session, changes["email"], except_id=lawyer_id):
        raise Conflict("a lawyer with this email already exists")
    for required in ("name", "email", "practice_areas", "states", "languages", "reduced_fee", "is_legal_aid", "capacity", "active"):
        if required in changes and changes[required] is None:
            del changes[required]  # null means "leave as is" for required fields
    if "practice_areas" in changes:
        lawyer.practice_areas = [str(topic) for topic in changes.pop("practice_areas")]
    if "states" in changes:
        lawyer.states = list(changes.pop("states"))
    for name, value in changes.items():
        setattr(lawyer, name, value)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("a lawyer with this email already exists") from exc
    logger.info("lawyer %s updated (%s)", lawyer.id, ", ".join(sorted(data.model_fields_set)))
    return lawyer


def deactivate_lawyer(session: Session, *, lawyer_id: int) -> Lawyer:
    """Takes the lawyer out of matching. Their open leads stay with them until staff reassign them."""
    lawyer = get_lawyer(session, lawyer_id=lawyer_id)
    lawyer.active = False
    session.commit()
    logger.info("lawyer %s deactivated", lawyer.id)
    return lawyer


def open_leads_for_lawyer(session: Session, *, lawyer_id: int) -> list[Lead]:
    get_lawyer(session, lawyer_id=lawyer_id)
    return list(
        session.scalars(
            select(Lead)
            .where(Lead.lawyer_id == lawyer_id, Lead.status.in_([s.value for s in CASELOAD_STATUSES]))
            .order_by(Lead.created_at, Lead.id)
        )
    )
