"""Staff users (admins only): list, create, change role, deactivate, reset a password."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from ...auth import service as users
from ...auth.models import ROLES, StaffUser
from ...auth.passwords import MIN_LENGTH
from ...service_errors import Conflict, InvalidInput, NotFound
from .. import audit
from ..deps import AdminUser, flash, render
from . import forms

router = APIRouter(prefix="/admin/users", include_in_schema=False)


def _get_or_404(session: Session, user_id: int) -> StaffUser:
    try:
        return users.get_user(session, user_id=user_id)
    except NotFound:
        raise HTTPException(status_code=404) from None


@router.get("")
def list_users(request: Request, user: AdminUser, session: forms.DbSession):
    return render(request, "users/list.html", {"title": "Users", "users": users.list_users(session)})


def _new_form(request: Request, values: dict, errors: dict, status_code: int = 200):
    return render(request, "users/new.html", {"title": "Add a staff user", "values": values, "errors": errors,
                                              "roles": ROLES, "min_length": MIN_LENGTH}, status_code=status_code)


@router.get("/new")
def new_user(request: Request, user: AdminUser):
    return _new_form(request, {"email": "", "role": "reviewer"}, {})


@router.post("/new")
def create_user(request: Request, user: AdminUser, form: forms.Form, session: forms.DbSession):
    values = {"email": forms.text(form, "email", max_length=254), "role": forms.text(form, "role", max_length=16)}
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    try:
        created = users.create_user(session, email=values["email"], password=password, role=values["role"],
                                    commit=False)
        audit.record(session, actor=user, action="user.create", target_type="user", target_id=created.id,
                     detail={"role": created.role})
        session.commit()
    except InvalidInput as exc:
        session.rollback()
        return _new_form(request, values, forms.errors_by_field(exc), status_code=422)
    except Conflict as exc:
        session.rollback()
        return _new_form(request, values, {"email": exc.message}, status_code=409)
    flash(request, f"{created.email} can now sign in as {created.role}. "
                   "Give them the password by a separate, safe channel.")
    return RedirectResponse("/admin/users", status_code=303)


def _edit_page(
    request: Request, target: StaffUser, user: StaffUser, errors: dict | None = None, status_code: int = 200,
):
    return render(request, "users/edit.html", {"title": target.email, "target": target, "roles": ROLES,
                                               "errors": errors or {}, "min_length": MIN_LENGTH,
                                               "is_self": target.id == user.id}, status_code=status_code)


@router.get("/{user_id}")
def edit_user(user_id: int, request: Request, user: AdminUser, session: forms.DbSession):
    return _edit_page(request, _get_or_404(session, user_id), user)


@router.post("/{user_id}")
def update_user(user_id: int, request: Request, user: AdminUser, form: forms.Form, session: forms.DbSession):
    target = _get_or_404(session, user_id)
    change = users.UserChange(role=forms.choice(form, "role", ROLES), active=forms.checkbox(form, "active"))
    try:
        changed = users.update_user(session, user=target, by=user, change=change, commit=False)
        if changed:
            audit.record(session, actor=user, action="user.update", target_type="user", target_id=target.id,
                         detail=changed)
        session.commit()
    except (Conflict, InvalidInput) as exc:
        session.rollback()
        flash(request, exc.message, "error")
        return RedirectResponse(f"/admin/users/{user_id}", status_code=303)
    flash(request, "Changes saved; the user's open sessions were ended." if changed else "Nothing changed.",
          "success" if changed else "info")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/{user_id}/password")
def reset_password(user_id: int, request: Request, user: AdminUser, form: forms.Form, session: forms.DbSession):
    target = _get_or_404(session, user_id)
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    try:
        users.set_password(session, user=target, password=password, commit=False)
        audit.record(session, actor=user, action="user.password_reset", target_type="user", target_id=target.id)
        session.commit()
    except InvalidInput as exc:
        session.rollback()
        return _edit_page(request, target, user, forms.errors_by_field(exc), status_code=422)
    flash(request, f"New password set for {target.email}; their open sessions were ended.")
    return RedirectResponse("/admin/users", status_code=303)
