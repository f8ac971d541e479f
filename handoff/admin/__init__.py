"""The staff admin panel under /admin: sign-in, leads, conversations, lawyers, users, audit log.

`install_admin(app, settings)` wires it into the app. Without SECRET_KEY the admin refuses to
start: every /admin page answers 503 with the reason, the rest of the app keeps working.
Shared pieces for other admin pages are in `handoff.admin.deps`.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from ..settings import Settings
from .deps import (
    SESSION_COOKIE,
    STATIC_DIR,
    AdminDisabled,
    AdminError,
    LoginRequired,
    login_redirect_url,
    render,
)
from .security import AdminSecurityHeaders, LoginRateLimiter, install_access_log_filter

logger = logging.getLogger(__name__)

MIN_SECRET_KEY_LENGTH = 32
SECRET_KEY_HELP = (
    "Set SECRET_KEY to a random value of at least 32 characters, e.g. the output of "
    "`python -c \"import secrets; print(secrets.token_urlsafe(48))\"`, and restart."
)


def secret_key_problem(settings: Settings) -> str | None:
    if not settings.secret_key:
        return "SECRET_KEY is not set."
    if len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is too short ({len(settings.secret_key)} characters)."
    return None


def _is_admin_path(request: Request) -> bool:
    path = request.url.path
    return path == "/admin" or path.startswith("/admin/")


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(AdminError)
    async def _admin_error(request: Request, exc: AdminError):
        if isinstance(exc, LoginRequired) and request.method in ("GET", "HEAD"):
            return RedirectResponse(login_redirect_url(exc.next_url), status_code=303)
        context = {"heading": exc.title, "message": exc.message, "title": exc.title}
        if isinstance(exc, LoginRequired):
            context["login_url"] = login_redirect_url(exc.next_url)
        return render(request, "error.html", context, status_code=exc.status_code)

    # HTML error pages inside /admin; the JSON API keeps its own error bodies.
    default_http = app.exception_handlers.get(StarletteHTTPException)
    default_validation = app.exception_handlers.get(RequestValidationError)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if _is_admin_path(request) and exc.status_code in (403, 404, 405):
            heading = {403: "Not allowed", 404: "Not found", 405: "Not allowed"}[exc.status_code]
            message = {
                404: "There is no such page or record.",
                405: "This page does not accept that kind of request.",
            }.get(exc.status_code, "You cannot do this.")
            return render(request, "error.html", {"heading": heading, "message": message, "title": heading},
                          status_code=exc.status_code)
        if default_http is not None:
            return await default_http(request, exc)
        from fastapi.exception_handlers import http_exception_handler

        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        if _is_admin_path(request):
            # Admin forms validate themselves; this is a malformed URL such as /admin/leads/abc.
            return render(request, "error.html", {"heading": "Not found", "message": "There is no such page or record.",
                                                  "title": "Not found"}, status_code=404)
        if default_validation is not None:
            return await default_validation(request, exc)
        from fastapi.exception_handlers import request_validation_exception_handler

        return await request_validation_exception_handler(request, exc)


def install_admin(app: FastAPI, settings: Settings) -> None:
    """Mount the admin panel (routes, static files, session cookie, security headers)."""
    problem = secret_key_problem(settings)
    _install_error_pages(app)
    app.add_middleware(AdminSecurityHeaders)
    if problem:
        app.state.admin_enabled = False
        logger.error("Admin panel disabled: %s %s", problem, SECRET_KEY_HELP)

        @app.api_route("/admin", methods=["GET", "POST"], include_in_schema=False)
        @app.api_route("/admin/{path:path}", methods=["GET", "POST"], include_in_schema=False)
        async def admin_disabled(request: Request, path: str = ""):
            raise AdminDisabled(f"The admin panel is disabled: {problem} {SECRET_KEY_HELP}")

        return

    app.state.admin_enabled = True
    app.state.login_limiter = LoginRateLimiter(settings.login_rate_limit)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.admin_session_idle_minutes * 60,
        path="/admin",
        same_site="lax",
        https_only=settings.admin_cookie_secure,
    )
    install_access_log_filter()

    from .views import routers

    for router in routers:
        app.include_router(router)
    app.mount("/admin/static", StaticFiles(directory=STATIC_DIR), name="admin-static")
    _bootstrap_first_admin(app, settings)


def _bootstrap_first_admin(app: FastAPI, settings: Settings) -> None:
    from ..auth.service import bootstrap_admin, count_users
    from ..service_errors import Conflict, InvalidInput
    from .audit import SYSTEM, record

    try:
        with app.state.session_factory() as session:
            if settings.admin_email and settings.admin_password:
                try:
                    user = bootstrap_admin(session, email=settings.admin_email, password=settings.admin_password)
                except InvalidInput as exc:
                    logger.error("ADMIN_EMAIL/ADMIN_PASSWORD not usable: %s", exc.message)
                    return
                except Conflict:
                    return  # another worker created it first
                if user is not None:
                    record(session, actor=SYSTEM, action="user.create", target_type="user", target_id=user.id,
                           detail={"role": "admin", "source": "ADMIN_EMAIL"}, commit=True)
            elif count_users(session) == 0:
                logger.warning("No staff user exists yet: run `python -m handoff.cli create-admin` "
                               "(or set ADMIN_EMAIL and ADMIN_PASSWORD) to create the first admin.")
    except SQLAlchemyError as exc:
        logger.warning("Could not check staff users (%s); run `alembic -c handoff/alembic.ini upgrade head`.",
                       type(exc).__name__)
