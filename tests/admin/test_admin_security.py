"""Security of the admin panel: every route needs the right role, every POST a CSRF token,
user-written text is always escaped, sign-in is rate limited and gives one generic error,
the session cookie is locked down, and the admin refuses to start without a secret key."""
from __future__ import annotations

import re

import pytest
from admin_helpers import (
    PASSWORD,
    add_lawyer,
    add_lead,
    add_events,
    add_user,
    bot_event,
    csrf_from,
    housing_conversation,
    login,
    make_settings,
    signed_in_token,
    user_event,
)
from fastapi import routing as fastapi_routing
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from handoff.admin.models import AuditEntry
from handoff.auth.models import StaffUser
from handoff.deps import get_session
from handoff.leads.models import Lead
from handoff.main import create_app

# Pages anyone may open: the sign-in form itself and signing out (CSRF-checked, no role).
PUBLIC = {("GET", "/admin/login"), ("POST", "/admin/login"), ("POST", "/admin/logout")}
# Areas only admins may use; a route there with a weaker role is a bug.
ADMIN_ONLY_PREFIXES = ("/admin/lawyers", "/admin/users", "/admin/audit", "/admin/settings")
ADMIN_ONLY_PATHS = {"/admin/leads/{lead_id}/delete-data"}
# Static assets of admin pages (a fixed list of files each) are public, like /admin/static.
STATIC_ASSET = re.compile(r"^/admin/[a-z_-]+/static/\{[a-z_]+\}$")
PARAM_VALUES = {"lead_id": "1", "lawyer_id": "1", "user_id": "1", "sender_id": "conv-1"}


def _required_role(route) -> str | None:
    """The role a route's require_role(...) dependency asks for (None: no such dependency)."""

    def walk(dependant):
        for dep in dependant.dependencies:
            role = getattr(dep.call, "required_role", None)
            if role:
                return role
            found = walk(dep)
            if found:
                return found
        return None

    return walk(route.dependant)


def _route_contexts(app):
    """Every route of the app with its effective path (FastAPI >= 0.130 keeps included routers nested)."""
    iter_contexts = getattr(fastapi_routing, "iter_route_contexts", None)
    return list(iter_contexts(app.routes)) if iter_contexts else list(app.routes)


def admin_routes(app) -> list[tuple[str, str, object]]:
    found = []
    for route in _route_contexts(app):
        path = getattr(route, "path", None) or ""
        original = getattr(route, "original_route", route)
        if not isinstance(original, APIRoute) or not (path == "/admin" or path.startswith("/admin/")):
            continue
        if STATIC_ASSET.match(path):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, path, route))
    return found


def _url(path: str) -> str:
    def value(match):
        name = match.group(1).split(":")[0]
        return PARAM_VALUES.get(name, "1")

    return re.sub(r"\{([^}]+)\}", value, path)


def test_admin_routes_are_found(app):
    paths = {path for _m, path, _r in admin_routes(app)}
    assert {"/admin/leads", "/admin/leads/{lead_id}", "/admin/conversations", "/admin/lawyers", "/admin/users",
            "/admin/audit", "/admin/login"} <= paths


def test_static_asset_routes_serve_only_their_files(app, anon):
    for route in _route_contexts(app):
        path = getattr(route, "path", None) or ""
        if STATIC_ASSET.match(path):
            probe = re.sub(r"\{[^}]+\}", "..%2F..%2Fsettings.py", path)
            assert anon.get(probe).status_code == 404, path


def test_every_admin_route_declares_a_role(app):
    missing = [(m, p) for m, p, route in admin_routes(app) if (m, p) not in PUBLIC and _required_role(route) is None]
    assert missing == [], f"admin routes without require_role(...): {missing}"


def test_admin_areas_require_the_admin_role(app):
    for method, path, route in admin_routes(app):
        if path.startswith(ADMIN_ONLY_PREFIXES) or path in ADMIN_ONLY_PATHS:
            assert _required_role(route) == "admin", f"{method} {path} must require the admin role"


def test_every_admin_route_refuses_an_anonymous_request(app, anon, session):
    add_lead(session)  # so that /admin/leads/1 etc. exist where it matters
    for method, path, _route in admin_routes(app):
        if (method, path) in PUBLIC:
            continue
        response = anon.request(method, _url(path), data={"csrf_token": "x"} if method == "POST" else None)
        if method == "GET":
            assert response.status_code == 303, f"{method} {path}: {response.status_code}"
            assert response.headers["location"].startswith("/admin/login?next=")
        else:
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
            assert "sign in" in response.text.lower()


def test_every_admin_only_route_refuses_a_reviewer(app, reviewer_client, session):
    add_lead(session)
    add_lawyer(session)
    token = signed_in_token(reviewer_client)
    checked = 0
    for method, path, route in admin_routes(app):
        if _required_role(route) != "admin":
            continue
        # A valid CSRF token, so the refusal is the role's and not the token's.
        response = reviewer_client.request(method, _url(path), data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        checked += 1
    assert checked >= 10


def test_reviewer_pages_open_for_a_reviewer(reviewer_client, session, tracker):
    lead = add_lead(session, conversation_id="conv-r-1")
    housing_conversation(tracker, "conv-r-1")
    for url in ("/admin/leads", f"/admin/leads/{lead.id}", "/admin/conversations", "/admin/conversations/conv-r-1",
                "/admin/account", "/admin/leads/export.csv"):
        assert reviewer_client.get(url).status_code == 200, url
    home = reviewer_client.get("/admin")
    assert home.status_code == 303 and home.headers["location"] == "/admin/leads"
    nav = reviewer_client.get("/admin/leads").text
    for label in ("Leads", "Conversations", "NLU inbox", "Dashboard"):
        assert f">{label}</a>" in nav
    for label in ("Users", "Audit log"):
        assert f">{label}</a>" not in nav  # admin-only links are hidden from reviewers


def test_admin_sees_every_nav_link(admin_client):
    nav = admin_client.get("/admin/leads").text
    for label, href in (("Leads", "/admin/leads"), ("Conversations", "/admin/conversations"),
                        ("NLU inbox", "/admin/inbox"), ("Dashboard", "/admin/dashboard"),
                        ("Lawyers", "/admin/lawyers"), ("Users", "/admin/users"), ("Audit log", "/admin/audit")):
        assert f'href="{href}"' in nav and f">{label}</a>" in nav


# --- CSRF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_every_post_without_a_valid_csrf_token_is_403(app, admin_client, session, token):
    add_lead(session)
    add_lawyer(session)
    posts = [(m, p) for m, p, route in admin_routes(app) if m == "POST" and (m, p) not in PUBLIC]
    assert len(posts) >= 12
    for _method, path in posts:
        data = {"status": "closed", "text": "x", "confirm": "on", "role": "reviewer"}
        if token is not None:
            data["csrf_token"] = token
        response = admin_client.post(_url(path), data=data)
        assert response.status_code == 403, f"POST {path}: {response.status_code}"
        assert "expired" in response.text


def test_csrf_refusal_changes_nothing(admin_client, session):
    lead = add_lead(session)
    admin_client.post(f"/admin/leads/{lead.id}/status", data={"status": "closed", "csrf_token": "nope"})
    admin_client.post(f"/admin/leads/{lead.id}/delete-data", data={"confirm": "on"})
    session.expire_all()
    assert session.get(Lead, lead.id).status == "new"
    assert session.get(Lead, lead.id).pii_deleted_at is None


def test_csrf_token_in_header_is_accepted(admin_client, session):
    lead = add_lead(session)
    token = signed_in_token(admin_client)
    response = admin_client.post(f"/admin/leads/{lead.id}/status", data={"status": "closed"},
                                 headers={"X-CSRF-Token": token})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Lead, lead.id).status == "closed"


def test_csrf_token_of_another_session_is_refused(app, admin_client, reviewer_user, session):
    lead = add_lead(session)
    with TestClient(app, follow_redirects=False) as other:
        login(other, reviewer_user.email)
        foreign = signed_in_token(other)
    response = admin_client.post(f"/admin/leads/{lead.id}/status", data={"status": "closed", "csrf_token": foreign})
    assert response.status_code == 403


def test_login_and_logout_need_the_csrf_token(anon, admin_client, admin_user):
    response = anon.post("/admin/login", data={"email": admin_user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "legalaid_admin" not in response.headers.get("set-cookie", "") or "uid" not in response.text
    assert admin_client.post("/admin/logout", data={}).status_code == 403
    assert admin_client.get("/admin/leads").status_code == 200  # still signed in


# --- sign-in -----------------------------------------------------------------------------------

def test_wrong_password_unknown_email_and_inactive_user_get_the_same_generic_error(anon, session, admin_user):
    inactive = add_user(session, role="admin", active=False)
    answers = [
        login(anon, admin_user.email, "wrong password entirely"),
        login(anon, "nobody@staff.example.org", PASSWORD),
        login(anon, inactive.email, PASSWORD),
    ]
    for response in answers:
        assert response.status_code == 401
        assert "The email or password is incorrect, or the account is inactive." in response.text
    bodies = {re.sub(r'value="[^"]*"', "", r.text) for r in answers}
    assert len(bodies) == 1, "the three failures must look the same (apart from the typed email and token)"
    assert anon.get("/admin/leads").status_code == 303


def test_login_is_case_insensitive_and_records_last_login(anon, session, admin_user):
    response = login(anon, admin_user.email.upper())
    assert response.status_code == 303
    session.expire_all()
    assert session.get(StaffUser, admin_user.id).last_login_at is not None
    assert session.query(AuditEntry).filter_by(action="auth.login", actor_id=admin_user.id).count() == 1


def test_login_rate_limit_gives_429(tmp_path, session, admin_user):
    app = create_app(make_settings(tmp_path, login_rate_limit="3/minute"))
    app.dependency_overrides[get_session] = lambda: session
    with TestClient(app, follow_redirects=False) as client:
        codes = [login(client, admin_user.email, "wrong password entirely").status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        blocked = login(client, admin_user.email, PASSWORD)  # even the right password
        assert blocked.status_code == 429
        assert "Too many sign-in attempts" in blocked.text
        assert int(blocked.headers["retry-after"]) >= 1
        assert client.get("/admin/leads").status_code == 303


def test_failed_attempts_are_limited_per_account_too(tmp_path, session, admin_user):
    app = create_app(make_settings(tmp_path, login_rate_limit="2/minute"))
    app.dependency_overrides[get_session] = lambda: session
    limiter = app.state.login_limiter
    for _ in range(2):
        limiter.account_failed(admin_user.email)
    with TestClient(app, follow_redirects=False) as client:
        assert login(client, admin_user.email).status_code == 429


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example", "/api/leads", "/admin\\@evil.example",
                                    "/admin/login", ""])
def test_next_parameter_cannot_redirect_elsewhere(app, admin_user, target):
    with TestClient(app, follow_redirects=False) as client:
        token = csrf_from(client.get("/admin/login").text)
        response = client.post("/admin/login", data={"email": admin_user.email, "password": PASSWORD,
                                                     "csrf_token": token, "next": target})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"


def test_next_parameter_keeps_an_admin_page(anon, admin_user):
    token = csrf_from(anon.get("/admin/login").text)
    response = anon.post("/admin/login", data={"email": admin_user.email, "password": PASSWORD, "csrf_token": token,
                                               "next": "/admin/leads?status=new"})
    assert response.headers["location"] == "/admin/leads?status=new"


def test_anonymous_get_comes_back_after_sign_in(anon, admin_user):
    response = anon.get("/admin/leads?status=new")
    assert response.headers["location"] == "/admin/login?next=/admin/leads%3Fstatus%3Dnew"
    page = anon.get(response.headers["location"])
    assert 'name="next" value="/admin/leads?status=new"' in page.text


# --- sessions ----------------------------------------------------------------------------------

def test_session_cookie_is_httponly_samesite_lax_and_scoped(anon, admin_user):
    response = login(anon, admin_user.email)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("legalaid_admin=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "path=/admin" in cookie.lower()
    assert "secure" not in cookie.lower()


def test_session_cookie_is_secure_when_configured(tmp_path, session, admin_user):
    app = create_app(make_settings(tmp_path, admin_cookie_secure=True))
    app.dependency_overrides[get_session] = lambda: session
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        cookie = login(client, admin_user.email).headers["set-cookie"].lower()
    assert "; secure" in cookie


def test_tampered_cookie_is_not_a_session(app, admin_client):
    value = admin_client.cookies.get("legalaid_admin")
    with TestClient(app, follow_redirects=False) as other:
        other.cookies.set("legalaid_admin", value[:-3] + "abc", path="/admin")
        assert other.get("/admin/leads").status_code == 303


def test_deactivating_a_user_ends_their_session(reviewer_client, reviewer_user, session):
    assert reviewer_client.get("/admin/leads").status_code == 200
    reviewer_user.active = False
    session.commit()
    assert reviewer_client.get("/admin/leads").status_code == 303


def test_password_change_elsewhere_ends_the_session(reviewer_client, reviewer_user, session):
    reviewer_user.session_version += 1
    session.commit()
    assert reviewer_client.get("/admin/leads").status_code == 303


def test_logout_ends_the_session(admin_client):
    token = signed_in_token(admin_client)
    response = admin_client.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    assert admin_client.get("/admin/leads").status_code == 303


def test_security_headers_on_admin_pages(admin_client, anon):
    for response in (admin_client.get("/admin/leads"), anon.get("/admin/login")):
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
    css = anon.get("/admin/static/admin.css")
    assert css.status_code == 200 and css.headers.get("cache-control") != "no-store"


# --- no secret key ------------------------------------------------------------------------------

@pytest.mark.parametrize("secret", ["", "too-short"])
def test_admin_refuses_to_start_without_a_proper_secret_key(tmp_path, secret, caplog):
    app = create_app(make_settings(tmp_path, secret_key=secret))
    with TestClient(app, follow_redirects=False) as client:
        for url in ("/admin", "/admin/login", "/admin/leads", "/admin/inbox"):
            response = client.get(url)
            assert response.status_code == 503
            assert "SECRET_KEY" in response.text
        assert client.post("/admin/login", data={"email": "a@b.cd", "password": "x"}).status_code == 503
        assert client.get("/api/health").status_code == 200  # the rest of the app runs
    assert any("Admin panel disabled" in r.getMessage() for r in caplog.records)


# --- escaping of user-written text ------------------------------------------------------------------

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
ESCAPED_SCRIPT = "&lt;script&gt;"


def test_user_written_html_is_shown_inert_on_every_page(admin_client, session, tracker, admin_user):
    lawyer = add_lawyer(session, name=f"Evil {XSS} Lawyer")
    lead = add_lead(session, name=f"Mallory {XSS}", summary=f"Summary {XSS}", opposing_party=f"Corp {XSS}",
                    conversation_id="conv-xss-1", lawyer=lawyer)
    add_events(tracker, "conv-xss-1", [
        user_event(f"Hello {XSS}", topic="housing", confidence=0.3, decision="clarify", reason="ambiguous"),
        bot_event(f"Bot echo {XSS}", buttons=[{"title": f"Button {XSS}", "payload": "/x"}]),
    ])
    token = signed_in_token(admin_client)
    admin_client.post(f"/admin/leads/{lead.id}/notes", data={"text": f"Note {XSS}", "csrf_token": token})
    admin_client.post(f"/admin/leads/{lead.id}/status", data={"status": "contacted", "reason": f"Reason {XSS}",
                                                              "csrf_token": token})
    pages = [
        "/admin/leads", f"/admin/leads?q={XSS}", f"/admin/leads/{lead.id}", f"/admin/leads/{lead.id}/delete-data",
        "/admin/conversations", "/admin/conversations/conv-xss-1", f"/admin/conversations?q={XSS}",
        "/admin/lawyers", f"/admin/lawyers/{lawyer.id}", f"/admin/lawyers/{lawyer.id}/edit", "/admin/audit",
        f"/admin/audit?actor={XSS}", "/admin/users", "/admin/settings",
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "<script>alert" not in response.text, url
        assert "<img src=x" not in response.text, url
        assert "onerror=alert(1)>" not in response.text.replace("&gt;", ""), url
    detail = admin_client.get(f"/admin/leads/{lead.id}").text
    for shown in ("Mallory", "Summary", "Corp", "Note", "Hello", "Bot echo", "Button", "Reason", "Evil"):
        assert f"{shown} {ESCAPED_SCRIPT}" in detail, shown
    assert f"Mallory {ESCAPED_SCRIPT}" in admin_client.get("/admin/leads").text
    assert f"Evil {ESCAPED_SCRIPT}" in admin_client.get("/admin/lawyers").text


def test_sign_in_page_escapes_what_was_typed(anon):
    page = anon.get(f"/admin/login?next=/admin/{XSS}")
    assert page.status_code == 200 and "<script>alert" not in page.text
    token = csrf_from(page.text)
    response = anon.post("/admin/login", data={"email": f"x{XSS}@example.org", "password": "wrong password entirely",
                                               "csrf_token": token})
    assert response.status_code == 401
    assert "<script>alert" not in response.text and "<img src=x" not in response.text


def test_no_inline_scripts_in_admin_pages(admin_client, session):
    lead = add_lead(session)
    for url in ("/admin/leads", f"/admin/leads/{lead.id}", "/admin/users", "/admin/lawyers/new", "/admin/settings"):
        html = admin_client.get(url).text
        assert "<script" not in html.replace("&lt;script", ""), url
        assert " onclick=" not in html and " onload=" not in html, url
