"""Sign-in, sign-out, the admin home and the signed-in user's own password."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ...auth import service as users
from ...auth.passwords import MIN_LENGTH, verify_password
from ...service_errors import InvalidInput
from .. import audit
from ..deps import (
    ReviewerUser,
    csrf_protect,
    csrf_valid,
    current_user,
    flash,
    login_user,
    logout_user,
    render,
    safe_next,
)
from . import forms

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/admin", include_in_schema=False)

GENERIC_LOGIN_ERROR = "The email or password is incorrect, or the account is inactive."
TOO_MANY = "Too many sign-in attempts. Please wait a minute and try again."


def _login_page(
    request: Request, session: Session, *, next_url: str, email: str = "", error: str | None = None,
    status_code: int = 200,
):
    try:
        no_users = users.count_users(session) == 0
    except SQLAlchemyError:
        no_users = False
    context = {"title": "Sign in", "next": next_url, "email": email, "error": error, "no_users": no_users}
    return render(request, "login.html", context, status_code=status_code)


@router.get("/login")
def login_form(request: Request, session: forms.DbSession):
    next_url = safe_next(request.query_params.get("next"))
    if current_user(request, session) is not None:
        return RedirectResponse(next_url, status_code=303)
    return _login_page(request, session, next_url=next_url)


@router.post("/login")
def login(request: Request, form: forms.Form, session: forms.DbSession):
    limiter = request.app.state.login_limiter
    email = users.normalize_email(forms.text(form, "email", max_length=254))
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    next_url = safe_next(forms.text(form, "next", max_length=500))
    if not limiter.hit_client(request) or (email and not limiter.account_allowed(email)):
        logger.warning("admin sign-in rate limited")
        response = _login_page(request, session, next_url=next_url, email=email, error=TOO_MANY, status_code=429)
        response.headers["Retry-After"] = str(limiter.retry_after(request))
        return response
    if not csrf_valid(request, form):
        return _login_page(request, session, next_url=next_url, email=email, status_code=403,
                           error="This sign-in form has expired. Please try again.")
    user = users.authenticate(session, email=email, password=password)
    if user is None:
        if email:
            limiter.account_failed(email)
        logger.info("admin sign-in failed")
        return _login_page(request, session, next_url=next_url, email=email, error=GENERIC_LOGIN_ERROR, status_code=401)
    login_user(request, user)
    audit.record(session, actor=user, action="auth.login", target_type="user", target_id=user.id, commit=True)
    logger.info("admin sign-in: user %s", user.id)
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout", dependencies=[Depends(csrf_protect)])
def logout(request: Request, session: forms.DbSession):
    user = current_user(request, session)
    logout_user(request)
    if user is not None:
        audit.record(session, actor=user, action="auth.logout", target_type="user", target_id=user.id, commit=True)
    flash(request, "You have signed out.", "info")
    return RedirectResponse("/admin/login", status_code=303)


@router.get("")
def home(user: ReviewerUser):
    return RedirectResponse("/admin/leads", status_code=303)


@router.get("/account")
def account(request: Request, user: ReviewerUser):
    return render(request, "account.html", {"title": "Your account", "user": user, "errors": {},
                                            "min_length": MIN_LENGTH})


@router.post("/account")
def change_password(request: Request, user: ReviewerUser, form: forms.Form,
                          session: forms.DbSession):
    current = form.get("current_password") if isinstance(form.get("current_password"), str) else ""
    new = form.get("new_password") if isinstance(form.get("new_password"), str) else ""
    confirm = form.get("confirm_password") if isinstance(form.get("confirm_password"), str) else ""
    errors: dict[str, str] = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = "This is not your current password."
    elif new != confirm:
        errors["confirm_password"] = "The two new passwords are not the same."
    else:
        try:
            users.set_password(session, user=user, password=new, commit=False)
            audit.record(session, actor=user, action="user.password_change", target_type="user", target_id=user.id)
            session.commit()
        except InvalidInput as exc:
            session.rollback()
            errors.update(forms.errors_by_field(exc))
            if "password" in errors:
                errors["new_password"] = errors.pop("password")
    if errors:
        return render(request, "account.html", {"title": "Your account", "user": user, "errors": errors,
                                                "min_length": MIN_LENGTH}, status_code=422)
    login_user(request, user)  # the password change ended every session; keep this one
    flash(request, "Your password has been changed. Other sessions were signed out.")
    return RedirectResponse("/admin/account", status_code=303)
