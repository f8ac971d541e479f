"""Reading Rasa's tracker store for the admin (through handoff.conversations.repository), tolerating a
tracker database that Rasa has not created yet."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..conversations import repository
from ..conversations.repository import ConversationSummary, Turn

logger = logging.getLogger(__name__)


@dataclass
class TranscriptResult:
    turns: list[Turn]
    available: bool = True


def load_transcript(engine: Engine, sender_id: str) -> TranscriptResult:
    try:
        return TranscriptResult(repository.transcript(engine, sender_id))
    except SQLAlchemyError as exc:
        logger.warning("tracker store not readable (%s)", type(exc).__name__)
        return TranscriptResult([], available=False)


def load_conversations(engine: Engine, **kwargs) -> tuple[list[ConversationSummary], int, bool]:
    try:
        items, total = repository.list_conversations(engine, **kwargs)
        return items, total, True
    except SQLAlchemyError as exc:
        logger.warning("tracker store not readable (%s)", type(exc).__name__)
        return [], 0, False
