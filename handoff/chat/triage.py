"""POST /api/triage: which legal topic a text is about, how sure the model is, and what the bot would do.

A product feature for partner sites too. The decision is computed by the bot's NLU pipeline
(TriageDecision component), so the API and the chat always agree.
"""
from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..ratelimit import RATE_LIMITED, limit_client
from ..leads.enums import Topic
from .rasa_client import RasaUnavailable
from .router import UNAVAILABLE, rasa_client, rasa_reply
from .schemas import MAX_MESSAGE_CHARS, reject_blank_text

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["triage"])

TOPICS = tuple(topic.value for topic in Topic)
Decision = Literal["answer", "clarify", "handoff", "emergency", "out_of_scope"]


class TriageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return reject_blank_text(value, "text")


class RankedTopic(BaseModel):
    topic: str
    confidence: float


class TriageResponse(BaseModel):
    topic: str | None = Field(description="Most likely of the 16 topics; null only when the text is plainly not a legal problem")
    confidence: float
    ranking: list[RankedTopic]
    decision: Decision
    reason: str | None = None


def triage_from_parse(parsed: dict) -> TriageResponse:
    ranking = [
        RankedTopic(topic=r["name"], confidence=round(float(r.get("confidence") or 0.0), 4))
        for r in parsed.get("intent_ranking") or []
        if r.get("name") in TOPICS
    ]
    triage = parsed.get("triage") or {}
    decision = triage.get("decision")
    if decision not in ("answer", "clarify", "handoff", "emergency", "out_of_scope"):
        decision = "handoff"  # the safe default: a person, not a guess
    topic = triage.get("topic") if "topic" in triage else (ranking[0].topic if ranking else None)
    if decision != "out_of_scope" and topic is None and ranking:
        topic = ranking[0].topic
    confidence = float(triage.get("confidence") or (ranking[0].confidence if ranking else 0.0))
    return TriageResponse(topic=topic, confidence=round(confidence, 4), ranking=ranking[:5], decision=decision, reason=triage.get("reason"))


@router.post(
    "/triage",
    response_model=TriageResponse,
    responses={503: {"description": "Rasa unavailable"}, **RATE_LIMITED},
    dependencies=[Depends(limit_client)],
)
async def triage(body: TriageRequest, request: Request) -> TriageResponse:
    try:
        parsed = await rasa_client(request).parse(text=body.text)
    except RasaUnavailable as exc:
        logger.warning("triage: rasa unavailable (%s)", exc)
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from exc
    with rasa_reply("triage"):
        return triage_from_parse(parsed)
