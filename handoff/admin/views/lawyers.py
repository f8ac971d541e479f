"""Lawyers (admins only): the panel list, create, edit, deactivate, and each lawyer's open leads."""
from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from ...lawyers import service as lawyers_service
from ...lawyers.schemas import LawyerCreate, LawyerUpdate
from ...leads.enums import Topic
from ...leads.geo import US_STATES
from ...service_errors import Conflict, NotFound
from .. import audit
from ..deps import AdminUser, flash, render
from . import forms

router = APIRouter(prefix="/admin/lawyers", include_in_schema=False)
TOPICS = [t.value for t in Topic]
PER_PAGE = 50
EDITABLE = ("name", "firm", "email", "phone", "practice_areas", "states", "languages", "reduced_fee", "is_legal_aid",
            "capacity", "active")


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]+", value or "") if part.strip()]


def _form_values(form: FormData) -> dict:
    """The form as the lawyer schemas' input (validation, messages: the referral service's schemas)."""
    capacity = forms.text(form, "capacity", max_length=6)
    return {
        "name": forms.text(form, "name"),
        "firm": forms.text(form, "firm"),
        "email": forms.text(form, "email", max_length=254),
        "phone": forms.text(form, "phone", max_length=30),
        "practice_areas": [t for t in form.getlist("practice_areas") if isinstance(t, str)],
        "states": [s.upper() for s in _split(forms.text(form, "states", max_length=400))],
        "languages": _split(forms.text(form, "languages", max_length=400)),
        "reduced_fee": forms.checkbox(form, "reduced_fee"),
        "is_legal_aid": forms.checkbox(form, "is_legal_aid"),
        "capacity": capacity if capacity else 10,
        "active": forms.checkbox(form, "active"),
    }


def _form_context(values: dict, errors: dict, *, lawyer=None) -> dict:
    return {
        "title": f"Edit {lawyer.name}" if lawyer else "Add a lawyer",
        "lawyer": lawyer,
        "values": values,
        "errors": errors,
        "topics": TOPICS,
        "state_codes": sorted(US_STATES),
    }


def _values_of(lawyer) -> dict:
    return {name: getattr(lawyer, name) for name in EDITABLE}


def _get_or_404(session: Session, lawyer_id: int):
    try:
        return lawyers_service.get_lawyer(session, lawyer_id=lawyer_id)
    except NotFound:
        raise HTTPException(status_code=404) from None


@router.get("")
def list_lawyers(request: Request, user: AdminUser, session: forms.DbSession):
    params = request.query_params
    topic = forms.choice(params, "topic", TOPICS)
    state = forms.choice(params, "state", list(US_STATES))
    status = forms.choice(params, "status", ["active", "inactive"])
    page = forms.integer(params, "page", maximum=100_000) or 1
    active = None if status is None else status == "active"
    result = lawyers_service.list_lawyers(session, topic=topic, state=state, active=active, page=page,
                                          per_page=PER_PAGE)
    kept = {"topic": topic, "state": state, "status": status}
    context = {
        "title": "Lawyers",
        "lawyers": lawyers_service.to_out(session, result.items),
        "total": result.total,
        "page": page,
        "pages": forms.pages(result.total, PER_PAGE),
        "topic": topic,
        "state": state,
        "status": status,
        "topics": TOPICS,
        "state_codes": sorted(US_STATES),
        "filtered": any(kept.values()),
        "page_url": lambda n: "?" + forms.query_string(kept, page=n if n > 1 else None),
    }
    return render(request, "lawyers/list.html", context)


@router.get("/new")
def new_lawyer(request: Request, user: AdminUser):
    values = {"name": "", "firm": "", "email": "", "phone": "", "practice_areas": [], "states": [],
              "languages": ["English"], "reduced_fee": False, "is_legal_aid": False, "capacity": 10, "active": True}
    return render(request, "lawyers/form.html", _form_context(values, {}))


@router.post("/new")
def create_lawyer(request: Request, user: AdminUser, form: forms.Form, session: forms.DbSession):
    values = _form_values(form)
    try:
        data = LawyerCreate.model_validate(values)
    except ValidationError as exc:
        return render(request, "lawyers/form.html", _form_context(values, forms.pydantic_errors(exc)), status_code=422)
    try:
        lawyer = lawyers_service.create_lawyer(session, data=data)
    except Conflict as exc:
        session.rollback()
        return render(request, "lawyers/form.html", _form_context(values, {"email": exc.message}), status_code=409)
    audit.record(session, actor=user, action="lawyer.create", target_type="lawyer", target_id=lawyer.id,
                 detail={"practice_areas": lawyer.practice_areas, "states": lawyer.states,
                         "is_legal_aid": lawyer.is_legal_aid}, commit=True)
    flash(request, f"{lawyer.name} was added to the panel.")
    return RedirectResponse(f"/admin/lawyers/{lawyer.id}", status_code=303)


@router.get("/{lawyer_id}")
def lawyer_detail(lawyer_id: int, request: Request, user: AdminUser, session: forms.DbSession):
    lawyer = _get_or_404(session, lawyer_id)
    out = lawyers_service.to_out(session, [lawyer])[0]
    leads = lawyers_service.open_leads_for_lawyer(session, lawyer_id=lawyer_id)
    return render(request, "lawyers/detail.html", {"title": lawyer.name, "lawyer": out, "leads": leads})


@router.get("/{lawyer_id}/edit")
def edit_lawyer(lawyer_id: int, request: Request, user: AdminUser, session: forms.DbSession):
    lawyer = _get_or_404(session, lawyer_id)
    return render(request, "lawyers/form.html", _form_context(_values_of(lawyer), {}, lawyer=lawyer))


@router.post("/{lawyer_id}/edit")
def update_lawyer(lawyer_id: int, request: Request, user: AdminUser, form: forms.Form, session: forms.DbSession):
    lawyer = _get_or_404(session, lawyer_id)
    values = _form_values(form)
    try:
        data = LawyerUpdate.model_validate(values)
    except ValidationError as exc:
        return render(request, "lawyers/form.html", _form_context(values, forms.pydantic_errors(exc), lawyer=lawyer),
                      status_code=422)
    before = _values_of(lawyer)
    try:
        lawyer = lawyers_service.update_lawyer(session, lawyer_id=lawyer_id, data=data)
    except Conflict as exc:
        session.rollback()
        return render(request, "lawyers/form.html", _form_context(values, {"email": exc.message}, lawyer=lawyer),
                      status_code=409)
    after = _values_of(lawyer)
    changed = sorted(name for name in EDITABLE if before[name] != after[name])
    if changed:
        audit.record(session, actor=user, action="lawyer.update", target_type="lawyer", target_id=lawyer_id,
                     detail={"changed": changed}, commit=True)
        flash(request, "Changes saved.")
    else:
        flash(request, "Nothing changed.", "info")
    return RedirectResponse(f"/admin/lawyers/{lawyer_id}", status_code=303)


@router.post("/{lawyer_id}/deactivate")
def deactivate(lawyer_id: int, request: Request, user: AdminUser, session: forms.DbSession):
    lawyer = _get_or_404(session, lawyer_id)
    if lawyer.active:
        audit.record(session, actor=user, action="lawyer.deactivate", target_type="lawyer", target_id=lawyer_id)
        lawyers_service.deactivate_lawyer(session, lawyer_id=lawyer_id)
        flash(request, f"{lawyer.name} no longer receives new leads. Their open leads stay with them until reassigned.")
    return RedirectResponse(f"/admin/lawyers/{lawyer_id}", status_code=303)


@router.post("/{lawyer_id}/activate")
def activate(lawyer_id: int, request: Request, user: AdminUser, session: forms.DbSession):
    lawyer = _get_or_404(session, lawyer_id)
    if not lawyer.active:
        audit.record(session, actor=user, action="lawyer.activate", target_type="lawyer", target_id=lawyer_id)
        lawyers_service.update_lawyer(session, lawyer_id=lawyer_id, data=LawyerUpdate(active=True))
        flash(request, f"{lawyer.name} receives new leads again.")
    return RedirectResponse(f"/admin/lawyers/{lawyer_id}", status_code=303)
