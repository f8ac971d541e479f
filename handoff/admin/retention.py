"""Retention: transcripts of conversations that produced no lead are deleted after
settings.transcript_retention_days without activity (`python -m handoff.cli purge-transcripts`)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..auth.models import StaffUser
from ..conversations import repository
from ..conversations.repository import events
from ..db_types import utcnow
from ..leads.models import Lead
from . import audit

logger = logging.getLogger(__name__)


@dataclass
class PurgeResult:
    conversations: int
    events: int
    cutoff: datetime
    days: int
    dry_run: bool = False


def expired_conversations(session: Session, tracker_engine: Engine, *, cutoff: datetime) -> list[str]:
    """Conversations whose last event is older than `cutoff` and that no lead refers to."""
    query = (
        select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(func.max(events.c.timestamp) < cutoff.timestamp())
    )
    try:
        with tracker_engine.connect() as connection:
            candidates = [row.sender_id for row in connection.execute(query)]
    except SQLAlchemyError as exc:
        logger.warning("retention: tracker store not readable (%s)", type(exc).__name__)
        return []
    if not candidates:
        return []
    with_lead = set(session.scalars(select(Lead.conversation_id).distinct()))
    return [sender for sender in candidates if sender not in with_lead]


def purge_transcripts(
    session: Session,
    tracker_engine: Engine,
    *,
    days: int,
    actor: StaffUser | str,
    dry_run: bool = False,
    now: datetime | None = None,
) -> PurgeResult:
    """Delete the expired transcripts and write one audit entry (none for a dry run)."""
    if days < 1:
        raise ValueError("the retention period is at least 1 day")
    cutoff = (now or utcnow()) - timedelta(days=days)
    expired = expired_conversations(session, tracker_engine, cutoff=cutoff)
    deleted_events = 0
    purged = 0
    if not dry_run:
        from handoff.nlu_inbox.service import forget_conversation

        for sender_id in expired:
            deleted_events += repository.delete_conversation(tracker_engine, sender_id)
            # Inbox rows point at the deleted messages; reviewed labels are already redacted
            # training data and are kept.
            forget_conversation(session, sender_id, keep_labels=True, commit=False)
            purged += 1
        audit.record(session, actor=actor, action="transcripts.purge", target_type="conversations",
                     detail={"conversations": purged, "events": deleted_events, "retention_days": days,
                             "cutoff": cutoff.isoformat()}, commit=True)
        logger.info("retention: %d transcripts (%d events) older than %d days purged", purged, deleted_events, days)
    return PurgeResult(conversations=purged if not dry_run else len(expired), events=deleted_events, cutoff=cutoff,
                       days=days, dry_run=dry_run)
