"""Conversations from Rasa's tracker store: browse and read any transcript with its NLU predictions."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...leads.models import Lead
from ..deps import ReviewerUser, render
from ..transcripts import load_conversations, load_transcript
from . import forms

router = APIRouter(prefix="/admin/conversations", include_in_schema=False)
PER_PAGE = 50


def _timestamp(day, *, end: bool = False) -> float | None:
    if day is None:
        return None
    if end:
        day = day + timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=UTC).timestamp()


def _leads_by_conversation(session: Session, ids: list[str]) -> dict[str, list[Lead]]:
    found: dict[str, list[Lead]] = {}
    if ids:
        for lead in session.scalars(select(Lead).where(Lead.conversation_id.in_(ids)).order_by(Lead.id)):
            found.setdefault(lead.conversation_id, []).append(lead)
    return found


@router.get("")
def list_conversations(request: Request, user: ReviewerUser, session: forms.DbSession):
    params = request.query_params
    q = forms.text(params, "q", max_length=128)
    day_from, day_to = forms.day(params, "from"), forms.day(params, "to")
    page = forms.integer(params, "page", maximum=100_000) or 1
    items, total, available = load_conversations(
        request.app.state.tracker_engine, since=_timestamp(day_from), until=_timestamp(day_to, end=True),
        q=q or None, offset=(page - 1) * PER_PAGE, limit=PER_PAGE,
    )
    kept = {"q": q, "from": day_from.isoformat() if day_from else None, "to": day_to.isoformat() if day_to else None}
    context = {
        "title": "Conversations",
        "conversations": items,
        "total": total,
        "available": available,
        "page": page,
        "pages": forms.pages(total, PER_PAGE),
        "q": q,
        "day_from": day_from,
        "day_to": day_to,
        "filtered": any(kept.values()),
        "leads": _leads_by_conversation(session, [c.sender_id for c in items]),
        "page_url": lambda n: "?" + forms.query_string(kept, page=n if n > 1 else None),
    }
    return render(request, "conversations/list.html", context)


@router.get("/{sender_id}")
def conversation(sender_id: str, request: Request, user: ReviewerUser, session: forms.DbSession):
    transcript = load_transcript(request.app.state.tracker_engine, sender_id)
    leads = _leads_by_conversation(session, [sender_id]).get(sender_id, [])
    user_turns = [t for t in transcript.turns if t.role == "user"]
    context = {
        "title": "Conversation",
        "sender_id": sender_id,
        "transcript": transcript,
        "leads": leads,
        "user_turns": len(user_turns),
        "started": transcript.turns[0].at if transcript.turns else None,
        "last": transcript.turns[-1].at if transcript.turns else None,
    }
    status = 200 if transcript.turns or leads or not transcript.available else 404
    return render(request, "conversations/detail.html", context, status_code=status)
