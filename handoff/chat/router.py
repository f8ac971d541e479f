"""POST /api/chat and GET /api/chat/history: the widget's API."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from ..ratelimit import RATE_LIMITED, limit_client, limit_sender
from .rasa_client import RasaClient, RasaUnavailable
from .schemas import SENDER_PATTERN, ChatRequest, ChatResponse, HistoryResponse
from .service import bot_messages_from_rest, history_from_tracker

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])

UNAVAILABLE = "The chat assistant is temporarily unavailable. Please try again in a minute."


def rasa_client(request: Request) -> RasaClient:
    return request.app.state.rasa


@contextmanager
def rasa_reply(what: str) -> Iterator[None]:
    """A reply from Rasa that cannot be turned into ours (e.g. a custom action sent a number as text)
    is Rasa's fault: 503 like any other Rasa failure, not a 500."""
    try:
        yield
    except (ValueError, TypeError, AttributeError, KeyError) as exc:  # pydantic's ValidationError is a ValueError
        logger.error("%s: unusable reply from rasa (%s)", what, type(exc).__name__)
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from exc


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={503: {"description": "Rasa unavailable"}, **RATE_LIMITED},
    dependencies=[Depends(limit_client)],
)
async def chat(body: ChatRequest, request: Request) -> ChatResponse:
    await limit_sender(request, body.sender)
    display_text = request.headers.get("X-Display-Text")
    metadata = {"display_text": display_text[:200]} if display_text else {}
    try:
        replies = await rasa_client(request).send_message(sender=body.sender, message=body.message, metadata=metadata)
    except RasaUnavailable as exc:
        # No message text in the log: it may hold personal data.
        logger.warning("chat: rasa unavailable (%s)", exc)
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from exc
    with rasa_reply("chat"):
        return ChatResponse(sender=body.sender, messages=bot_messages_from_rest(replies))


@router.get(
    "/chat/history",
    response_model=HistoryResponse,
    responses={503: {"description": "Rasa unavailable"}, **RATE_LIMITED},
    # Same per-address limit as sending: a history read costs a tracker fetch from Rasa, and without a
    # limit it is the cheapest way to probe for other people's conversation ids.
    dependencies=[Depends(limit_client)],
)
async def history(request: Request, sender: str = Query(pattern=SENDER_PATTERN)) -> HistoryResponse:
    try:
        tracker = await rasa_client(request).tracker(sender=sender)
    except RasaUnavailable as exc:
        logger.warning("history: rasa unavailable (%s)", exc)
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from exc
    with rasa_reply("history"):
        return HistoryResponse(sender=sender, messages=history_from_tracker(tracker))
