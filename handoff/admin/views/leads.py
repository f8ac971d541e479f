"""Leads: the filtered list, CSV export, the detail page and every staff action on a lead."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from ...conversations import repository
from ...deps import get_notifier
from ...lawyers.models import Lawyer
from ...lawyers.service import open_lead_counts
from ...leads import service as leads_service
from ...leads.enums import TRANSITIONS, HandoffReason, LeadStatus, Queue, Topic
from ...leads.models import Lead
from ...notifications.base import Notifier
from ...service_errors import InvalidInput, NotFound, ServiceError
from .. import audit
from ..csv_export import leads_csv
from ..deps import AdminUser, ReviewerUser, actor_label, flash, render
from ..transcripts import load_transcript
from . import forms

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/admin/leads", include_in_schema=False)

STATUSES = [s.value for s in LeadStatus]
_PIPELINE_ORDER = STATUSES  # the enum lists the statuses in pipeline order
TOPICS = [t.value for t in Topic]
REASONS = [r.value for r in HandoffReason]
QUEUES = [q.value for q in Queue]
PER_PAGE_CHOICES = (25, 50, 100)
SORTS = set(leads_service.SORT_KEYS)
EXPORT_LIMIT = 50_000


@dataclass
class LeadFilters:
    status: str | None = None
    topic: str | None = None
    reason: str | None = None
    queue: str | None = None
    lawyer_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    sort: str = "-created_at"
    page: int = 1
    per_page: int = 25
    problems: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: QueryParams) -> LeadFilters:
        f = cls(
            status=forms.choice(params, "status", STATUSES),
            topic=forms.choice(params, "topic", TOPICS),
            reason=forms.choice(params, "reason", REASONS),
            queue=forms.choice(params, "queue", QUEUES),
            lawyer_id=forms.integer(params, "lawyer"),
            date_from=forms.day(params, "from"),
            date_to=forms.day(params, "to"),
            q=forms.text(params, "q", max_length=100),
            sort=forms.choice(params, "sort", SORTS) or "-created_at",
            page=forms.integer(params, "page", maximum=100_000) or 1,
            per_page=int(forms.choice(params, "per_page", [str(n) for n in PER_PAGE_CHOICES]) or 25),
        )
        for name in ("from", "to"):
            if params.get(name) and getattr(f, "date_" + name) is None:
                f.problems.append(f"The {name!r} date was not understood (use YYYY-MM-DD) and is ignored.")
        if f.date_from and f.date_to and f.date_from > f.date_to:
            f.problems.append("The 'from' date is after the 'to' date: no lead can match.")
        return f

    def params(self) -> dict:
        """The filters as query parameters (without page), for links that keep them."""
        return {
            "status": self.status, "topic": self.topic, "reason": self.reason, "queue": self.queue,
            "lawyer": self.lawyer_id, "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None, "q": self.q,
            "sort": None if self.sort == "-created_at" else self.sort,
            "per_page": None if self.per_page == 25 else self.per_page,
        }

    def service_kwargs(self) -> dict:
        return {
            "status": self.status, "topic": self.topic, "reason": self.reason, "queue": self.queue,
            "lawyer_id": self.lawyer_id, "date_from": self.date_from, "date_to": self.date_to, "q": self.q or None,
            "sort": self.sort,
        }

    def active(self) -> bool:
        return any(v for k, v in self.params().items() if k not in ("sort", "per_page"))

    def audit_summary(self) -> dict:
        """The filters for the audit log: the search text itself may be a person's name, so only its presence."""
        summary = {k: v for k, v in self.params().items() if v and k not in ("q", "per_page")}
        if self.q:
            summary["search"] = True
        return summary


def _pretty(value: str) -> str:
    return value.replace("_", " ")


def _all_lawyers(session: Session) -> list[Lawyer]:
    return list(session.scalars(select(Lawyer).order_by(Lawyer.active.desc(), Lawyer.name)))


@router.get("")
def list_leads(request: Request, user: ReviewerUser, session: forms.DbSession):
    filters = LeadFilters.parse(request.query_params)
    result = leads_service.list_leads(session, **filters.service_kwargs(), page=filters.page, per_page=filters.per_page)
    page_count = forms.pages(result.total, filters.per_page)
    if filters.page > page_count and result.total:
        filters.page = page_count
        result = leads_service.list_leads(session, **filters.service_kwargs(), page=filters.page,
                                          per_page=filters.per_page)
    params = filters.params()
    context = {
        "title": "Leads",
        "filters": filters,
        "leads": result.items,
        "total": result.total,
        "page": filters.page,
        "pages": page_count,
        "statuses": STATUSES,
        "topics": TOPICS,
        "reasons": REASONS,
        "queues": QUEUES,
        "per_page_choices": PER_PAGE_CHOICES,
        "lawyers": _all_lawyers(session),
        "export_url": "/admin/leads/export.csv?" + forms.query_string(params),
        "page_url": lambda n: "?" + forms.query_string(params, page=n if n > 1 else None),
        "sort_url": lambda key: "?" + forms.query_string(params, sort=None if key == "-created_at" else key),
    }
    return render(request, "leads/list.html", context)


@router.get("/export.csv")
def export_csv(request: Request, user: ReviewerUser, session: forms.DbSession):
    filters = LeadFilters.parse(request.query_params)
    leads: list[Lead] = []
    page = 1
    while len(leads) < EXPORT_LIMIT:
        result = leads_service.list_leads(session, **filters.service_kwargs(), page=page, per_page=100)
        leads.extend(result.items)
        if page * 100 >= result.total:
            break
        page += 1
    body = leads_csv(leads[:EXPORT_LIMIT])
    audit.record(session, actor=user, action="leads.export", target_type="leads", target_id=None,
                 detail={"rows": min(len(leads), EXPORT_LIMIT), "filters": filters.audit_summary()}, commit=True)
    logger.info("leads export: %d rows by user %s", len(leads), user.id)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="leads-{stamp}.csv"'},
    )


def _get_lead_or_404(session: Session, lead_id: int) -> Lead:
    try:
        return leads_service.get_lead(session, lead_id=lead_id)
    except NotFound:
        raise HTTPException(status_code=404) from None


@router.get("/{lead_id}")
def lead_detail(lead_id: int, request: Request, user: ReviewerUser, session: forms.DbSession):
    lead = _get_lead_or_404(session, lead_id)
    everyone = _all_lawyers(session)
    lawyers = [l for l in everyone if l.active]
    counts = open_lead_counts(session, lawyer_ids=[l.id for l in lawyers])
    # Lawyers who take the lead's topic (and state, when known) first: they are the likely choice.
    def fits(lawyer: Lawyer) -> bool:
        return lead.topic in lawyer.practice_areas and (not lead.state or lead.state in lawyer.states)
    suggested = [l for l in lawyers if fits(l) and l.id != lead.lawyer_id]
    others = [l for l in lawyers if not fits(l) and l.id != lead.lawyer_id]
    lawyer_names = {l.id: l.name for l in everyone}
    transcript = load_transcript(request.app.state.tracker_engine, lead.conversation_id)
    context = {
        "title": f"Lead #{lead.id}",
        "lead": lead,
        # "assigned" needs a lawyer: that move is made with the assignment form instead.
        "next_statuses": [s for s in _PIPELINE_ORDER if LeadStatus(s) in TRANSITIONS[LeadStatus(lead.status)]
                          and not (s == LeadStatus.assigned.value and lead.lawyer_id is None)],
        "suggested_lawyers": suggested,
        "other_lawyers": others,
        "open_counts": counts,
        "lawyer_names": lawyer_names,
        "transcript": transcript,
        "back_url": _back_url(request),
    }
    return render(request, "leads/detail.html", context)


def _back_url(request: Request) -> str:
    referer = request.headers.get("referer", "")
    marker = "/admin/leads?"
    if marker in referer:
        return "/admin/leads?" + referer.split(marker, 1)[1]
    return "/admin/leads"


def _detail(lead_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/admin/leads/{lead_id}{'#' + anchor if anchor else ''}", status_code=303)


def _failed(request: Request, session: Session, exc: ServiceError) -> None:
    session.rollback()
    if isinstance(exc, InvalidInput):
        message = "; ".join(message for _field, message in exc.errors)
    else:
        message = exc.message
    flash(request, message[:1].upper() + message[1:], "error")


@router.post("/{lead_id}/status")
def change_status(lead_id: int, request: Request, user: ReviewerUser, form: forms.Form, session: forms.DbSession):
    new_status = forms.text(form, "status", max_length=32)
    reason = forms.text(form, "reason", max_length=500) or None
    lead = _get_lead_or_404(session, lead_id)
    previous = lead.status
    try:
        audit.record(session, actor=user, action="lead.status", target_type="lead", target_id=lead_id,
                     detail={"from": previous, "to": new_status, "with_reason": bool(reason)})
        leads_service.change_status(session, lead_id=lead_id, new_status=new_status, actor=actor_label(user),
                                    reason=reason)
    except ServiceError as exc:
        _failed(request, session, exc)
        return _detail(lead_id, "status")
    flash(request, f"Status changed from {_pretty(previous)} to {_pretty(new_status)}.")
    return _detail(lead_id)


@router.post("/{lead_id}/assign")
def assign(
    lead_id: int, request: Request, user: ReviewerUser, form: forms.Form, session: forms.DbSession,
    notifier: Notifier = Depends(get_notifier),
):
    lawyer_id = forms.integer(form, "lawyer_id")
    reason = forms.text(form, "reason", max_length=500) or None
    override = forms.checkbox(form, "override_capacity")
    lead = _get_lead_or_404(session, lead_id)
    if lawyer_id is None:
        flash(request, "Choose a lawyer to assign the lead to.", "error")
        return _detail(lead_id, "assign")
    previous = lead.lawyer_id
    try:
        audit.record(session, actor=user, action="lead.assign", target_type="lead", target_id=lead_id,
                     detail={"from_lawyer": previous, "to_lawyer": lawyer_id, "override_capacity": override})
        lead = leads_service.assign_lead(session, lead_id=lead_id, lawyer_id=lawyer_id, actor=actor_label(user),
                                         reason=reason, respect_capacity=not override)
    except ServiceError as exc:
        _failed(request, session, exc)
        return _detail(lead_id, "assign")
    session.commit()
    notified = leads_service.notify_assigned_lawyer(session, lead=lead, notifier=notifier)
    name = lead.lawyer.name if lead.lawyer else f"lawyer {lawyer_id}"
    if notified:
        flash(request, f"Lead assigned to {name}, who has been notified.")
    else:
        flash(request, f"Lead assigned to {name}, but the notification could not be sent; please contact them.",
              "error")
    return _detail(lead_id)


@router.post("/{lead_id}/rematch")
def rematch(
    lead_id: int, request: Request, user: ReviewerUser, session: forms.DbSession,
    notifier: Notifier = Depends(get_notifier),
):
    _get_lead_or_404(session, lead_id)
    try:
        audit.record(session, actor=user, action="lead.rematch", target_type="lead", target_id=lead_id)
        lead = leads_service.rematch_lead(session, lead_id=lead_id, actor=actor_label(user))
    except ServiceError as exc:
        _failed(request, session, exc)
        return _detail(lead_id)
    session.commit()
    if lead.lawyer is not None:
        leads_service.notify_assigned_lawyer(session, lead=lead, notifier=notifier)
        flash(request, f"Matched to {lead.lawyer.name}.")
    else:
        flash(request, "No panel lawyer matches this lead yet; it stays in the legal-aid queue.", "info")
    return _detail(lead_id)


@router.post("/{lead_id}/notes")
def add_note(lead_id: int, request: Request, user: ReviewerUser, form: forms.Form, session: forms.DbSession):
    text = form.get("text") if isinstance(form.get("text"), str) else ""
    _get_lead_or_404(session, lead_id)
    try:
        audit.record(session, actor=user, action="lead.note", target_type="lead", target_id=lead_id,
                     detail={"length": len(text.strip())})
        leads_service.add_note(session, lead_id=lead_id, author=user.email[:100], text=text)
    except ServiceError as exc:
        _failed(request, session, exc)
        return _detail(lead_id, "notes")
    flash(request, "Note added.")
    return _detail(lead_id, "notes")


@router.get("/{lead_id}/delete-data")
def confirm_delete(lead_id: int, request: Request, user: AdminUser, session: forms.DbSession):
    lead = _get_lead_or_404(session, lead_id)
    return render(request, "leads/delete_confirm.html", {"title": f"Delete data of lead #{lead.id}", "lead": lead})


@router.post("/{lead_id}/delete-data")
def delete_data(lead_id: int, request: Request, user: AdminUser, form: forms.Form, session: forms.DbSession):
    lead = _get_lead_or_404(session, lead_id)
    if not forms.checkbox(form, "confirm"):
        flash(request, "Tick the box to confirm that the data should be deleted.", "error")
        return RedirectResponse(f"/admin/leads/{lead_id}/delete-data", status_code=303)
    conversation_id = lead.conversation_id
    already = lead.pii_deleted_at is not None
    audit.record(session, actor=user, action="lead.delete_person_data", target_type="lead", target_id=lead_id,
                 detail={"already_deleted": already})
    leads_service.delete_person_data(session, lead_id=lead_id, actor=actor_label(user))
    session.commit()
    try:
        events = repository.delete_conversation(request.app.state.tracker_engine, conversation_id)
    except SQLAlchemyError as exc:
        session.rollback()
        audit.record(session, actor=user, action="conversation.delete_failed", target_type="conversation",
                     target_id=conversation_id, detail={"lead": lead_id, "error": type(exc).__name__}, commit=True)
        logger.error("lead %s: transcript deletion failed (%s)", lead_id, type(exc).__name__)
        flash(request, "The lead's personal data was deleted, but the transcript could not be deleted. "
                       "Try again; the action is safe to repeat.", "error")
        return _detail(lead_id)
    # The person's messages may also sit in the NLU inbox and its labels: those go too.
    from handoff.nlu_inbox.service import forget_conversation

    labels = forget_conversation(session, conversation_id, commit=False)
    audit.record(session, actor=user, action="conversation.delete", target_type="conversation",
                 target_id=conversation_id,
                 detail={"lead": lead_id, "events": events, "labels": labels, "cause": "person_data_request"},
                 commit=True)
    logger.info("lead %s: personal data and transcript (%d events) deleted by user %s", lead_id, events, user.id)
    flash(request, f"The person's data was deleted from lead #{lead_id}, and the transcript ({events} events).")
    return _detail(lead_id)
