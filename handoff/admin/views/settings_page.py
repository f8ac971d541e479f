"""Settings (admins only): the effective, non-secret configuration and the transcript retention purge."""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from ...db_types import utcnow
from ..deps import AdminUser, flash, render
from ..retention import expired_conversations, purge_transcripts
from . import forms

router = APIRouter(prefix="/admin/settings", include_in_schema=False)


@router.get("")
def settings_page(request: Request, user: AdminUser, session: forms.DbSession):
    settings = request.app.state.settings
    cutoff = utcnow() - timedelta(days=settings.transcript_retention_days)
    due = len(expired_conversations(session, request.app.state.tracker_engine, cutoff=cutoff))
    rows = [
        ("Transcript retention", f"{settings.transcript_retention_days} days (conversations without a lead)"),
        ("Sign-in rate limit", settings.login_rate_limit),
        ("Session idle timeout", f"{settings.admin_session_idle_minutes} minutes (at most 12 hours in all)"),
        ("Secure session cookie (HTTPS only)",
         "yes" if settings.admin_cookie_secure else "no — set ADMIN_COOKIE_SECURE=true behind HTTPS"),
        ("Lawyer notifications", settings.notifier),
        ("Chat rate limit", settings.chat_rate_limit),
    ]
    return render(request, "settings.html", {"title": "Settings", "rows": rows, "due": due, "cutoff": cutoff,
                                             "days": settings.transcript_retention_days})


@router.post("/purge-transcripts")
def purge(request: Request, user: AdminUser, session: forms.DbSession):
    days = request.app.state.settings.transcript_retention_days
    result = purge_transcripts(session, request.app.state.tracker_engine, days=days, actor=user)
    flash(request, f"{result.conversations} transcript{'s' if result.conversations != 1 else ''} purged "
                   f"(older than {days} days, without a lead).")
    return RedirectResponse("/admin/settings", status_code=303)
