"""Building blocks shared by every admin page (/admin/...), including pages of other teams.

Use them like this::

    from fastapi import APIRouter, Depends, Request
    from handoff.admin.deps import register_template_dir, require_role, templates

    router = APIRouter(prefix="/admin/inbox")
    register_template_dir(Path(__file__).parent / "templates")   # your own templates

    @router.get("")
    def inbox(request: Request, user=Depends(require_role("reviewer"))):
        return templates.TemplateResponse(request, "inbox.html", {"title": "NLU inbox"})

    @router.post("/{item_id}/label")
    def label(item_id: int, user=Depends(require_role("reviewer"))):
        ...  # the CSRF token was already checked by require_role (every non-GET request)

Templates extend "base.html" (blocks: title, head, content, scripts) and get `current_user`,
`csrf_token`, `csrf_field()` and `flashes` automatically. Every <form method="post"> must contain
`{{ csrf_field() }}`; fetch() calls send the token in the X-CSRF-Token header instead.
Pages are served with a Content-Security-Policy without inline scripts: put JavaScript in a file
(script-src 'self'). Templates are autoescaped: never mark user-written text `|safe`.

`require_role("reviewer")` lets reviewers and admins in; `require_role("admin")` only admins
(`ReviewerUser` / `AdminUser` are the same as Annotated types: `def page(user: ReviewerUser)`).
A signed-out GET is redirected to /admin/login; a signed-out POST gets 401, a user without the
role 403, a missing or wrong CSRF token 403.
"""
from __future__ import annotations

import functools
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

import jinja2
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ..auth.models import ROLE_RANK, StaffUser
from ..deps import get_session
from .confidence import confidence_class, configured_bands

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

SESSION_COOKIE = "legalaid_admin"
# A session ends at the latest this long after sign-in, however active (idle timeout: settings).
ABSOLUTE_SESSION_SECONDS = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Role = Literal["reviewer", "admin"]

# (label, path, role needed to see the link)
NAV: tuple[tuple[str, str, str], ...] = (
    ("Leads", "/admin/leads", "reviewer"),
    ("Conversations", "/admin/conversations", "reviewer"),
    ("NLU inbox", "/admin/inbox", "reviewer"),
    ("Dashboard", "/admin/dashboard", "reviewer"),
    ("Lawyers", "/admin/lawyers", "admin"),
    ("Users", "/admin/users", "admin"),
    ("Audit log", "/admin/audit", "admin"),
    ("Settings", "/admin/settings", "admin"),
)


# --- errors the admin turns into pages (handlers in handoff.admin.install_admin) ---------------

class AdminError(Exception):
    status_code = 400
    title = "Request refused"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class AdminDisabled(AdminError):
    status_code = 503
    title = "Admin panel disabled"


class LoginRequired(AdminError):
    status_code = 401
    title = "Please sign in"

    def __init__(self, next_url: str = "/admin"):
        super().__init__("Your session has ended. Please sign in again.")
        self.next_url = next_url


class Forbidden(AdminError):
    status_code = 403
    title = "Not allowed"


class CsrfFailed(AdminError):
    status_code = 403
    title = "Form expired"


# --- sessions and CSRF ----------------------------------------------------------------------

def _admin_enabled(request: Request) -> bool:
    return bool(getattr(request.app.state, "admin_enabled", False)) and "session" in request.scope


def _ensure_enabled(request: Request) -> None:
    if not _admin_enabled(request):
        raise AdminDisabled("The admin panel is disabled: SECRET_KEY is not set on the server.")


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use). Put it in every form as `csrf_token`."""
    _ensure_enabled(request)
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf_token(request))


def csrf_valid(request: Request, form: FormData | None = None) -> bool:
    """Whether the request carries the session's CSRF token (X-CSRF-Token header or form field)."""
    _ensure_enabled(request)
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if not given and form is not None:
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return bool(expected and given and hmac.compare_digest(given.encode(), expected.encode()))


async def verify_csrf(request: Request) -> None:
    """Raise CsrfFailed unless the request carries the session's token (header or form field)."""
    _ensure_enabled(request)
    form = None
    if not request.headers.get(CSRF_HEADER):
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached by Starlette: the endpoint's Form() fields still work
    if not csrf_valid(request, form):
        raise CsrfFailed("This form has expired or did not come from this site. Reload the page and try again.")


async def csrf_protect(request: Request) -> None:
    """Dependency: check the CSRF token on every non-GET request (require_role already does)."""
    if request.method not in SAFE_METHODS:
        await verify_csrf(request)


def login_user(request: Request, user: StaffUser) -> None:
    """Start a fresh session for the user (new CSRF token; nothing of the old session survives)."""
    request.session.clear()
    request.session.update(
        {"uid": user.id, "sv": user.session_version, "iat": int(time.time()), "csrf": secrets.token_urlsafe(32)}
    )
    request.state.admin_user = user


def logout_user(request: Request) -> None:
    request.session.clear()
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.state.admin_user = None


def current_user(request: Request, session: Session) -> StaffUser | None:
    """The signed-in, active user of this request, or None (an outdated session is cleared)."""
    if not _admin_enabled(request):
        return None
    cached = getattr(request.state, "admin_user", None)
    if cached is not None:
        return cached
    data = request.session
    uid, version, issued = data.get("uid"), data.get("sv"), data.get("iat")
    if not isinstance(uid, int):
        return None
    user = session.get(StaffUser, uid)
    valid = (
        user is not None
        and user.active
        and user.session_version == version
        and isinstance(issued, int)
        and time.time() - issued < ABSOLUTE_SESSION_SECONDS
    )
    if not valid:
        for key in ("uid", "sv", "iat"):
            data.pop(key, None)
        return None
    request.state.admin_user = user
    return user


def _signed_in_user(request: Request, session: Session = Depends(get_session)) -> StaffUser | None:
    # Sync (runs in the thread pool): it reads the database.
    _ensure_enabled(request)
    return current_user(request, session)


def _next_url(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


@functools.cache
def require_role(role: Role) -> Callable[..., Any]:
    """A dependency returning the signed-in StaffUser who has `role` (admins have every role).

    Signed out: GET → redirect to the sign-in page, other methods → 401. Without the role → 403.
    Every non-GET request must also carry the CSRF token (form field or X-CSRF-Token header).
    """
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}; use one of {sorted(ROLE_RANK)}")

    async def dependency(request: Request, user: StaffUser | None = Depends(_signed_in_user)) -> StaffUser:
        if user is None:
            raise LoginRequired(_next_url(request))
        if not user.has_role(role):
            raise Forbidden("Your role does not give access to this page. Ask an admin if you need it.")
        if request.method not in SAFE_METHODS:
            await verify_csrf(request)
        return user

    dependency.required_role = role  # type: ignore[attr-defined]  # read by the route-security test
    dependency.__name__ = f"require_{role}"
    return dependency


# Shorthands for endpoint signatures: `def page(request: Request, user: ReviewerUser): ...`
ReviewerUser = Annotated[StaffUser, Depends(require_role("reviewer"))]
AdminUser = Annotated[StaffUser, Depends(require_role("admin"))]


def login_redirect_url(next_url: str) -> str:
    return "/admin/login?next=" + quote(safe_next(next_url), safe="/")


def safe_next(value: str | None) -> str:
    """Only local admin paths are followed after sign-in (no open redirect)."""
    if not value or not value.startswith("/admin") or value.startswith("//") or "\\" in value:
        return "/admin"
    if value.startswith("/admin/login") or value.startswith("/admin/logout"):
        return "/admin"
    return value


def actor_label(user: StaffUser) -> str:
    """How a staff user is named in a lead's history (at most 100 characters)."""
    label = f"staff:{user.email}"
    return label if len(label) <= 100 else f"staff:#{user.id}"


# --- flash messages ---------------------------------------------------------------------------

def flash(request: Request, message: str, kind: Literal["success", "error", "info"] = "success") -> None:
    """A message shown once on the next page (after a redirect)."""
    messages = list(request.session.get("flash", []))
    messages.append([kind, message[:500]])
    request.session["flash"] = messages[-5:]


def _pop_flashes(request: Request) -> list[tuple[str, str]]:
    if "session" not in request.scope:
        return []
    return [(kind, text) for kind, text in request.session.pop("flash", [])]


# --- templates --------------------------------------------------------------------------------

def _context(request: Request) -> dict[str, Any]:
    enabled = _admin_enabled(request)
    user = getattr(request.state, "admin_user", None) if enabled else None
    nav = [(label, path) for label, path, role in NAV if user is not None and user.has_role(role)]
    return {
        "current_user": user,
        "csrf_token": csrf_token(request) if enabled else "",
        "csrf_field": (lambda: csrf_field(request)) if enabled else (lambda: Markup("")),
        "flashes": _pop_flashes(request),
        "nav": nav,
        "current_path": request.url.path,
    }


def _format_dt(value: datetime | float | None, fmt: str = "%Y-%m-%d %H:%M", zone: bool = True) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(fmt) + (" UTC" if zone else "")


def _format_pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _label(value: str | None) -> str:
    return "—" if not value else str(value).replace("_", " ").capitalize()


_loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(TEMPLATES_DIR))])
_env = jinja2.Environment(
    loader=_loader,
    autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["dt"] = _format_dt
_env.filters["pct"] = _format_pct
_env.filters["label"] = _label
# Confidence colours follow the bot's configured thresholds (see confidence.py), on every page alike.
_env.globals["confidence_class"] = confidence_class
_env.globals["confidence_bands"] = configured_bands

templates = Jinja2Templates(env=_env, context_processors=[_context])


def register_template_dir(directory: str | Path) -> None:
    """Let `templates` find your templates too (your directory is searched after the admin's)."""
    path = str(directory)
    loaders = _loader.loaders
    if not any(isinstance(l, jinja2.FileSystemLoader) and path in l.searchpath for l in loaders):
        loaders.append(jinja2.FileSystemLoader(path))


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200):
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)
