"""Admin pages of the NLU inbox and retraining.

    GET  /admin/inbox                      messages to review (reviewer): filters, lowest confidence first
    POST /admin/inbox/{event_id}/label     confirm / relabel / out_of_scope / skip one message
    POST /admin/inbox/bulk                 one action for several selected messages
    GET  /admin/inbox/models               model registry, retrain jobs (reviewer)
    POST /admin/inbox/retrain              start `scripts/retrain.py` in the background (admin)
    GET  /admin/inbox/jobs/{job_id}        a job's progress as JSON (polled by the page)
    POST /admin/inbox/rollback             roll back to an earlier model (admin)

Forms post with the CSRF token (checked by require_role); the page's script posts the same
forms with fetch() and `Accept: application/json` to label without reloading.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ..admin.audit import record
from ..admin.deps import flash, register_template_dir, render, require_role
from ..admin.views.forms import choice, day, form_data, integer, text
from ..auth.models import StaffUser
from ..deps import get_session
from ..service_errors import InvalidInput, NotFound
from . import service
from .jobs import RetrainService, RetrainUnavailable
from .models import STATUSES
from .topic_guide import shipped_topic_guide

HERE = Path(__file__).parent
register_template_dir(HERE / "templates")

router = APIRouter(prefix="/admin/inbox", include_in_schema=False)
PER_PAGE_CHOICES = (25, 50, 100)
ACTION_WORDS = {"confirm": "Confirmed", "relabel": "Labelled", "out_of_scope": "Marked out of scope", "skip": "Skipped"}


def get_retrain_service(request: Request) -> RetrainService:
    """The retrain launcher (tests put their own on app.state.nlu_retrain)."""
    existing = getattr(request.app.state, "nlu_retrain", None)
    if existing is None:
        existing = RetrainService.from_settings(request.app.state.settings)
        request.app.state.nlu_retrain = existing
    return existing


def _confidence(params, name: str) -> float | None:
    raw = text(params, name, max_length=8).rstrip("%")
    try:
        value = float(raw)
    except ValueError:
        return None
    if value > 1:  # typed as a percentage
        value /= 100
    return value if 0 <= value <= 1 else None


def _filters(params) -> service.InboxFilters:
    return service.InboxFilters(
        status=choice(params, "status", service.STATUS_FILTERS) or "unreviewed",
        min_confidence=_confidence(params, "min_conf"),
        max_confidence=_confidence(params, "max_conf"),
        topic=choice(params, "topic", service.LABELS),
        date_from=day(params, "from"),
        date_to=day(params, "to"),
    )


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _back(form: FormData) -> str:
    """Where to return after a form: the inbox with the filters the reviewer had (never another site)."""
    query = text(form, "return_query", max_length=500)
    return "/admin/inbox" + (f"?{query}" if query and not query.startswith(("/", "\\")) and "://" not in query else "")


STATIC_FILES = {"inbox.js": "application/javascript", "models.js": "application/javascript", "inbox.css": "text/css"}


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404)
    return FileResponse(HERE / "static" / name, media_type=STATIC_FILES[name])


@router.get("")
def inbox(
    request: Request, user: StaffUser = Depends(require_role("reviewer")), session: Session = Depends(get_session)
):
    params = request.query_params
    filters = _filters(params)
    per_page = integer(params, "per_page", minimum=1, maximum=100) or 50
    per_page = per_page if per_page in PER_PAGE_CHOICES else 50
    page = service.list_inbox(session, request.app.state.tracker_engine, filters,
                              page=integer(params, "page") or 1, per_page=per_page)
    query = {**filters.as_query(), "per_page": per_page if per_page != 50 else None}
    clean = {k: v for k, v in query.items() if v not in (None, "")}

    def url_for_page(number: int) -> str:
        return "/admin/inbox?" + urlencode({**clean, "page": number})

    return render(request, "nlu_inbox.html", {
        "title": "NLU inbox",
        "page": page,
        "filters": filters,
        "per_page": per_page,
        "per_page_choices": PER_PAGE_CHOICES,
        "return_query": urlencode({**clean, "page": page.page} if page.page > 1 else clean),
        "url_for_page": url_for_page,
        "counts": service.status_counts(session),
        "topics": service.TOPICS,
        "conversation_intents": service.CONVERSATION_INTENTS,
        "safety_intents": service.SAFETY_INTENTS,
        "status_filters": service.STATUS_FILTERS,
        "statuses": STATUSES,
        "topic_guide": shipped_topic_guide(),
    })


def _label_json(row) -> dict:
    return {"event_id": row.event_id, "status": row.status, "label": row.label, "text": row.text,
            "reviewer": row.reviewer}


@router.post("/bulk")
def bulk(
    request: Request,
    form: FormData = Depends(form_data),
    user: StaffUser = Depends(require_role("reviewer")),
    session: Session = Depends(get_session),
):
    raw_ids = [v for v in form.getlist("event_id") if isinstance(v, str)]
    ids = [int(v) for v in raw_ids if v.isdigit()]
    action = choice(form, "action", service.ACTIONS) or ""
    label = choice(form, "label", service.LABELS)
    if action == "confirm" and label:  # "apply this label" to the selection
        action = "relabel"
    try:
        result = service.bulk_label(session, request.app.state.tracker_engine, event_ids=ids, action=action,
                                    label=label, reviewer=user)
    except InvalidInput as exc:
        if _wants_json(request):
            return JSONResponse({"error": exc.message}, status_code=422)
        flash(request, exc.errors[0][1], "error")
        return RedirectResponse(_back(form), status_code=303)
    record(session, actor=user, action="nlu.bulk_label", target_type="nlu_label", target_id=None,
           detail={"action": action, "label": label, "count": len(result.done), "failed": len(result.failed)},
           commit=True)
    if _wants_json(request):
        labels = [service.get_label(session, i) for i in result.done]
        return JSONResponse({"done": [_label_json(r) for r in labels if r], "failed": result.failed})
    word = ACTION_WORDS.get(action, "Updated")
    message = f"{word} {len(result.done)} message{'s' if len(result.done) != 1 else ''}" + (
        f" as {label.replace('_', ' ')}" if action == "relabel" and label else "") + "."
    if result.failed:
        message += f" {len(result.failed)} could not be labelled (no longer in the conversation store)."
    flash(request, message, "error" if result.failed and not result.done else "success")
    return RedirectResponse(_back(form), status_code=303)


@router.post("/{event_id}/label")
def label_one(
    event_id: int,
    request: Request,
    form: FormData = Depends(form_data),
    user: StaffUser = Depends(require_role("reviewer")),
    session: Session = Depends(get_session),
):
    action = choice(form, "action", service.ACTIONS) or ""
    label = choice(form, "label", service.LABELS)
    if action == "" and label:
        action = "relabel"
    try:
        row = service.label_message(session, request.app.state.tracker_engine, event_id=event_id, action=action,
                                    label=label, reviewer=user)
    except (InvalidInput, NotFound) as exc:
        status = 404 if isinstance(exc, NotFound) else 422
        if _wants_json(request):
            return JSONResponse({"error": exc.message}, status_code=status)
        flash(request, exc.message if isinstance(exc, NotFound) else exc.errors[0][1], "error")
        return RedirectResponse(_back(form), status_code=303)
    if _wants_json(request):
        return JSONResponse(_label_json(row))
    shown = f" as {row.label.replace('_', ' ')}" if row.label and action in ("confirm", "relabel") else ""
    flash(request, f"{ACTION_WORDS.get(action, 'Updated')} message {event_id}{shown}.")
    return RedirectResponse(_back(form), status_code=303)


# --- models and retraining --------------------------------------------------------------------------

@router.get("/models")
def models_page(
    request: Request,
    user: StaffUser = Depends(require_role("reviewer")),
    session: Session = Depends(get_session),
    retrain: RetrainService = Depends(get_retrain_service),
):
    context: dict = {"title": "Models and retraining", "available": True, "reviewed": 0}
    counts = service.status_counts(session)
    context["reviewed"] = sum(counts[s] for s in ("confirmed", "relabelled", "out_of_scope"))
    try:
        context.update(registry=retrain.registry(), jobs=retrain.jobs(), running=retrain.running())
    except RetrainUnavailable as exc:
        context.update(available=False, problem=str(exc), registry={"models": [], "events": []}, jobs=[], running=False)
    job_id = text(request.query_params, "job", max_length=64)
    context["job"] = retrain.job(job_id) if job_id and context["available"] else (
        context["jobs"][0] if context["jobs"] else None)
    return render(request, "nlu_models.html", context)


@router.post("/retrain")
def start_retrain(
    request: Request,
    form: FormData = Depends(form_data),
    user: StaffUser = Depends(require_role("admin")),
    session: Session = Depends(get_session),
    retrain: RetrainService = Depends(get_retrain_service),
):
    try:
        job_id = retrain.start(by=user.email)
    except (RuntimeError, RetrainUnavailable) as exc:
        flash(request, str(exc), "error")
        return RedirectResponse("/admin/inbox/models", status_code=303)
    record(session, actor=user, action="nlu.retrain", target_type="retrain_job", target_id=job_id, commit=True)
    flash(request, "Retraining started. This page shows its progress.", "info")
    return RedirectResponse(f"/admin/inbox/models?job={job_id}", status_code=303)


@router.get("/jobs/{job_id}")
def job_status(
    job_id: str,
    user: StaffUser = Depends(require_role("reviewer")),
    retrain: RetrainService = Depends(get_retrain_service),
):
    job = retrain.job(job_id)
    if job is None:
        return JSONResponse({"error": "no such job"}, status_code=404)
    finished = job.get("state") not in ("queued", "running")
    return JSONResponse({**job, "finished": finished, "log_tail": retrain.log_tail(job_id, 30),
                         "now": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
                        headers={"Cache-Control": "no-store"})


@router.post("/rollback")
def rollback(
    request: Request,
    form: FormData = Depends(form_data),
    user: StaffUser = Depends(require_role("admin")),
    session: Session = Depends(get_session),
    retrain: RetrainService = Depends(get_retrain_service),
):
    model = text(form, "model", max_length=128) or None
    try:
        if retrain.running():
            flash(request, "A retrain is running; roll back when it has finished.", "error")
            return RedirectResponse("/admin/inbox/models", status_code=303)
        ok, output = retrain.rollback(model=model, by=user.email)
    except RetrainUnavailable as exc:
        ok, output = False, str(exc)
    if ok:
        record(session, actor=user, action="nlu.rollback", target_type="model", target_id=model or "previous",
               detail={"output": output[-500:]}, commit=True)
    flash(request, (output or "Rolled back.") if ok else f"Rollback failed: {output}", "success" if ok else "error")
    return RedirectResponse("/admin/inbox/models", status_code=303)
