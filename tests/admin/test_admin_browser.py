"""The admin panel in a real browser: Debian's Chromium driven by Playwright, against the real app
started with uvicorn on a free 127.0.0.1 port (temporary SQLite app database migrated with
Alembic, temporary tracker store with Rasa events).

Steps: sign in, filter leads, open one, change its status, export the CSV; user-written HTML stays
inert and the Content-Security-Policy reports nothing. Screenshots: test-artifacts/screenshots/admin-*.png.

Chromium: /usr/bin/chromium (`apt-get install -y chromium`, never `playwright install`), or LEGALAID_CHROMIUM.
Run: `.venv-app/bin/pytest tests/admin -q -m browser`.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from admin_helpers import (
    PASSWORD,
    REPO_ROOT,
    SECRET,
    add_events,
    add_lead,
    add_user,
    bot_event,
    housing_conversation,
    new_app_database,
    slot_event,
    user_event,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.db import make_engine
from scripts.stack import stop_process, wait_http
from handoff.lawyers.models import Lawyer
from handoff.lawyers.seed import seed_demo_lawyers
from handoff.leads.models import Lead

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("LEGALAID_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
ADMIN_EMAIL = "maria.staff@legalaid.example.org"
XSS_NAME = 'Robin <img src=x onerror="window.__xss=1">'

# Fictional people and what they wrote (topic, urgency, reason, status, summary).
PEOPLE = [
    ("Jordan Alvarez", "housing", "high", "low_confidence", "new",
     "Landlord served a 3-day notice after I asked for repairs; heat has been off for two weeks."),
    ("Sam Whitfield", "employment", "normal", "user_request", "assigned",
     "Employer has not paid overtime for three months and cut my hours after I complained."),
    ("Priya Natarajan", "immigration", "high", "complex", "contacted",
     "My work permit expires next month and the renewal is still pending."),
    ("Chris O'Neill", "divorce", "normal", "user_request", "consultation_scheduled",
     "Separated since March; we disagree about the children's schedule and the house."),
    ("Dana Kim", "consumer", "low", "low_confidence", "closed",
     "A debt collector keeps calling my workplace about a debt I do not recognise."),
    ("Lee Martinez", "housing", "normal", "feedback", "assigned",
     "Security deposit of $1,800 not returned 45 days after moving out."),
    ("Taylor Brooks", "traffic", "low", "user_request", "retained",
     "=SUM(A1:A9) speeding ticket and my license may be suspended."),
    ("Avery Johnson", "domestic_violence", "emergency", "guardrail", "assigned",
     "Need a protective order; my ex keeps showing up at my apartment."),
    ("Morgan Lee", "benefits", "normal", "complex", "new",
     "SNAP benefits stopped after my recertification interview was missed."),
    ("Casey Nguyen", "housing", "high", "high_stakes", "new",
     "Eviction hearing on Friday, I have a disability and need an accommodation."),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 40.0) -> None:
    wait_http(url, timeout=timeout, process=proc, name="app", log=log)


def _seed(app_engine, tracker_engine) -> dict:
    now = datetime.now(UTC)
    with Session(app_engine) as session:
        seed_demo_lawyers(session)
        add_user(session, role="admin", email=ADMIN_EMAIL)
        lawyers = {l.email: l for l in session.scalars(select(Lawyer))}
        housing_lawyer = next(l for l in lawyers.values() if "housing" in l.practice_areas and "NY" in l.states
                              and not l.is_legal_aid)
        leads = []
        for index, (name, topic, urgency, reason, status, summary) in enumerate(PEOPLE):
            conversation = f"web-{index:02d}-{topic[:4]}"
            lawyer = housing_lawyer if status != "new" else None
            lead = add_lead(session, name=name, topic=topic, urgency=urgency, handoff_reason=reason, status=status,
                            summary=summary, conversation_id=conversation, lawyer=lawyer,
                            nlu_confidence=0.35 + 0.06 * index, email=f"{name.split()[0].lower()}@example.net",
                            created_at=now - timedelta(days=index * 2, hours=index))
            leads.append(lead)
        target = add_lead(session, name="Jamie Rivera", topic="housing", urgency="high", handoff_reason="low_confidence",
                          status="new", conversation_id="web-target-housing", nlu_confidence=0.44,
                          summary="Landlord changed the locks while I was at work; my things are inside.",
                          email="jamie.rivera@example.net", created_at=now - timedelta(hours=2))
        xss = add_lead(session, name=XSS_NAME, topic="family", summary='<script>window.__xss=2</script> custody',
                       conversation_id="web-xss", created_at=now - timedelta(days=30))
        ids = {"target": target.id, "xss": xss.id, "count": len(leads) + 2}
    add_events(tracker_engine, "web-target-housing", [
        {"event": "action", "name": "action_session_start"},
        bot_event("Hi! I can help you understand your legal options. What is going on?"),
        user_event("my landlord changed the locks while i was at work and my stuff is inside",
                   topic="housing", confidence=0.88, decision="answer"),
        bot_event("A landlord usually cannot lock you out without a court order (an illegal lockout). "
                  "Here is what you can do today.",
                  buttons=[{"title": "Talk to a lawyer", "payload": "/request_lawyer"},
                           {"title": "That helped", "payload": "/affirm"}]),
        user_event("can i get my things back tonight? i have my kids meds in there",
                   topic="housing", confidence=0.44, decision="handoff", reason="low_confidence",
                   runner_up="family"),
        slot_event("handoff_reason", "low_confidence"),
        bot_event("This needs a lawyer's help quickly. I can pass your details to a housing lawyer."),
    ], start=time.time() - 3 * 3600)
    add_events(tracker_engine, "web-xss", [
        user_event('<img src=x onerror="window.__xss=3"> my ex took the kids', topic="family", confidence=0.71,
                   decision="clarify", reason="ambiguous"),
        bot_event("Is this about custody or about a protective order?"),
    ])
    for index in range(len(PEOPLE)):
        housing_conversation(tracker_engine, f"web-{index:02d}-{PEOPLE[index][1][:4]}")
    return ids


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    tmp = tmp_path_factory.mktemp("admin-browser")
    app_url, app_engine = new_app_database(tmp)
    tracker_url = f"sqlite:///{tmp / 'tracker.db'}"
    tracker_engine = make_engine(tracker_url)
    ids = _seed(app_engine, tracker_engine)
    port = _free_port()
    log = tmp / "app.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_URL": app_url,
        "TRACKER_DATABASE_URL": tracker_url,
        "SECRET_KEY": SECRET,
        "SERVICE_TOKEN": "browser-test-service-token",
        "NOTIFIER": "file",
        "MAIL_OUTBOX_PATH": str(tmp / "outbox.log"),
        "RASA_URL": f"http://127.0.0.1:{_free_port()}",
        "LOGIN_RATE_LIMIT": "100/minute",
        "ADMIN_EMAIL": "",
        "ADMIN_PASSWORD": "",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "handoff.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "info"],
        cwd=tmp, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/api/health", proc, log)
        yield {"url": base, "ids": ids, "engine": app_engine, "tracker": tracker_engine, "log": log}
    finally:
        stop_process(proc)
        app_engine.dispose()
        tracker_engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1360, "height": 860}, accept_downloads=True,
                                  base_url=server["url"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    # Console errors (CSP violations, scripts) except failed loads, which are checked by status below.
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    # HTTP errors, except the sign-in form answering a wrong password with 401.
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.request.method} {r.url}")
            if r.status >= 400 and not (r.status == 401 and r.url.endswith("/admin/login")) else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.problems = problems
    yield page
    context.close()


def shot(page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"admin-{name}.png"), full_page=full_page)


def sign_in(page) -> None:
    page.goto("/admin/leads")
    assert "/admin/login?next=" in page.url
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/leads")


def test_sign_in_filter_open_change_status_export(page, server):
    ids = server["ids"]

    # Sign in (the wrong password first: one generic message).
    page.goto("/admin/leads")
    assert "/admin/login?next=" in page.url
    shot(page, "login", full_page=False)
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("The email or password is incorrect")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/leads")
    assert page.get_by_role("heading", name="Leads").is_visible()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").is_visible()
    assert page.locator("tbody tr").count() == ids["count"]
    shot(page, "leads")

    # Filter: housing leads with status new.
    page.get_by_label("Topic").select_option("housing")
    page.get_by_label("Status").select_option("new")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(lambda url: "topic=housing" in url)
    rows = page.locator("tbody tr")
    assert rows.count() == 3  # Jordan Alvarez, Casey Nguyen, Jamie Rivera
    assert "Jamie Rivera" in page.locator("tbody").inner_text()
    assert "Sam Whitfield" not in page.locator("tbody").inner_text()
    shot(page, "leads-filtered")

    # Search narrows further; sorting by urgency works from the header.
    page.get_by_label("Search").fill("locks")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(lambda url: "q=locks" in url)
    assert page.locator("tbody tr").count() == 1

    # Open the lead.
    page.get_by_role("link", name="Jamie Rivera").click()
    page.wait_for_url(f"**/admin/leads/{ids['target']}")
    assert page.get_by_role("heading", name=f"Lead #{ids['target']} · Jamie Rivera").is_visible()
    transcript = page.locator(".transcript")
    assert "changed the locks" in transcript.inner_text()
    assert "88%" in transcript.inner_text() and "44%" in transcript.inner_text()
    shot(page, "lead-detail")

    # Change its status: new → closed, with a reason.
    page.get_by_label("Move to").select_option("closed")
    page.get_by_label("Reason for the change").fill("Duplicate of an earlier request")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(f"**/admin/leads/{ids['target']}")
    assert "Status changed from new to closed." in page.locator(".flash-success").inner_text()
    assert "Closed" in page.locator(".page-head .badge").inner_text()
    with Session(server["engine"]) as session:
        assert session.get(Lead, ids["target"]).status == "closed"
    shot(page, "lead-status-changed")

    # Add an internal note.
    page.get_by_label("Add a note").fill("Called back, the person found a lawyer through a friend.")
    page.get_by_role("button", name="Add note").click()
    assert "Called back" in page.locator("#notes").inner_text()

    # Export the filtered list as CSV.
    page.goto("/admin/leads?topic=traffic")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("leads-") and download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Name"] for row in rows] == ["Taylor Brooks"]
    assert rows[0]["Summary"].startswith("'=SUM(")  # formula neutralised
    assert rows[0]["Phone"].startswith("'+1")

    # The audit log has it all.
    page.goto("/admin/audit")
    log = page.locator("tbody").inner_text()
    for action in ("auth.login", "lead.status", "lead.note", "leads.export"):
        assert action in log
    shot(page, "audit-log")

    assert page.problems == [], page.problems


def test_pages_look_clean_and_user_html_stays_inert(page, server):
    ids = server["ids"]
    sign_in(page)
    page.goto(f"/admin/leads/{ids['xss']}")
    assert XSS_NAME in page.get_by_role("heading", level=1).inner_text()  # shown as text
    assert page.evaluate("window.__xss") is None
    page.goto("/admin/conversations/web-xss")
    assert 'onerror="window.__xss=3"' in page.locator(".transcript").inner_text()
    assert page.evaluate("window.__xss") is None
    page.goto("/admin/leads?q=Robin")
    assert page.evaluate("window.__xss") is None

    page.goto("/admin/conversations")
    shot(page, "conversations")
    page.goto("/admin/conversations/web-target-housing")
    shot(page, "conversation")
    page.goto("/admin/lawyers")
    shot(page, "lawyers")
    page.locator("tbody a").first.click()
    shot(page, "lawyer")
    page.goto("/admin/users")
    shot(page, "users", full_page=False)
    page.goto("/admin/settings")
    shot(page, "settings", full_page=False)
    page.goto(f"/admin/leads/{ids['target']}/delete-data")
    shot(page, "delete-confirm", full_page=False)

    # Keyboard: the skip link is the first stop and leads to the content.
    page.goto("/admin/leads")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"

    # A phone-sized screen still works.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/admin/leads/{ids['target']}")
    shot(page, "lead-detail-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    assert page.problems == [], page.problems
    assert "Jamie Rivera" not in server["log"].read_text()  # no personal data in the app's log
    assert "q=Robin" not in server["log"].read_text()  # searched text is redacted from access logs
