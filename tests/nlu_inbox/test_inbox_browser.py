"""The inbox's keyboard shortcuts in a real browser (Playwright + Debian's Chromium, like tests/browser).

The real app runs under uvicorn on a free port with its own SQLite databases; a reviewer signs in
and labels messages with j/k, c, 1-9, o, s and x + a bulk action. The labels are read back from
the database. Skipped when Chromium or Playwright is missing.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from admin_helpers import PASSWORD, SECRET, add_user, new_app_database
from inbox_helpers import log_message
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.db import make_engine
from handoff.nlu_inbox.models import NluLabel
from scripts.stack import stop_process

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LEGALAID_CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live(tmp_path):
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (set LEGALAID_CHROMIUM)")
    pytest.importorskip("playwright.sync_api")
    url, engine = new_app_database(tmp_path)
    with Session(engine) as session:
        user = add_user(session, role="reviewer", email="keys@staff.example.org")
        email = user.email
    engine.dispose()
    tracker = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    now = time.time()
    ids = {
        "weather": log_message(tracker, "whats the weather like", topic="consumer", confidence=0.10, at=now - 50,
                               intent="out_of_scope", ranking=[("consumer", 0.10), ("courts", 0.05)]),
        "fired": log_message(tracker, "got fired for asking about overtime", topic="employment", confidence=0.20,
                             at=now - 40, ranking=[("employment", 0.20), ("consumer", 0.15), ("courts", 0.10)]),
        "deposit": log_message(tracker, "landlord kept my deposit", topic="housing", confidence=0.30, at=now - 30),
        "ticket": log_message(tracker, "ticket for a broken tail light", topic="traffic", confidence=0.40, at=now - 20),
        "lease": log_message(tracker, "can i break my lease early", topic="housing", confidence=0.50, at=now - 10),
        "kids": log_message(tracker, "my ex keeps the kids on my weekends", topic="family", confidence=0.60, at=now),
    }
    tracker.dispose()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
           "SECRET_KEY": SECRET, "SERVICE_TOKEN": "x" * 32, "RASA_URL": "http://127.0.0.1:9", "ADMIN_EMAIL": "",
           "ADMIN_PASSWORD": "", "PYTHONPATH": str(REPO)}
    log = open(tmp_path / "app.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "handoff.main:create_app", "--factory", "--host", "127.0.0.1", "--port",
         str(port)], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=2)
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "app.log").read_text()
                time.sleep(0.3)
        yield {"base": base, "email": email, "ids": ids, "db": url}
    finally:
        stop_process(process, grace=20)
        log.close()


def labels(db_url: str) -> dict[int, tuple[str, str | None]]:
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            return {r.event_id: (r.status, r.label) for r in session.scalars(select(NluLabel))}
    finally:
        engine.dispose()


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def _keyboard_shortcuts_label_messages(live):
    from playwright.sync_api import expect, sync_playwright

    ids = live["ids"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{live['base']}/admin/login?next=/admin/inbox")
        page.fill("input[name=email]", live["email"])
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/inbox")
        rows = page.locator("tr.inbox-row")
        assert rows.count() == 6

        page.keyboard.press("j")                       # first row: the weather question
        shots = REPO / "test-artifacts" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.screenshot(path=str(shots / "nlu-inbox.png"), full_page=True)
        # Each label is saved by a fetch and only then does the focus move on; wait for both before the next key.
        current = page.locator("tr.inbox-row.is-current")
        for key, labelled, next_row in [
            ("o", "weather", "fired"),                 # out of scope -> next row gets the focus
            ("c", "fired", "deposit"),                 # "fired": confirm employment
            ("s", "deposit", "ticket"),                # "deposit": skip
            ("2", "ticket", "lease"),                  # "ticket": the 2nd shortcut label (consumer)
        ]:
            page.keyboard.press(key)
            wait_for(lambda: ids[labelled] in labels(live["db"]))
            expect(current).to_have_attribute("data-event-id", str(ids[next_row]))
        page.keyboard.press("k")                       # back up to "ticket", then down again
        expect(current).to_have_attribute("data-event-id", str(ids["ticket"]))
        page.keyboard.press("j")
        expect(current).to_have_attribute("data-event-id", str(ids["lease"]))
        page.keyboard.press("x")                       # select "lease" and "kids"
        page.keyboard.press("j")
        page.keyboard.press("x")
        assert page.locator("#selected-count").inner_text() == "2 selected"
        page.select_option("#bulk-label", "housing")
        page.click('#bulk-form button[value="relabel"]')
        page.wait_for_load_state("load")
        assert "Labelled 2 messages as housing." in page.content()
        assert errors == []
        browser.close()

    assert labels(live["db"]) == {
        ids["weather"]: ("out_of_scope", "out_of_scope"),
        ids["fired"]: ("confirmed", "employment"),
        ids["deposit"]: ("skipped", None),
        ids["ticket"]: ("relabelled", "consumer"),
        ids["lease"]: ("confirmed", "housing"),
        ids["kids"]: ("relabelled", "housing"),
    }


def test_keyboard_shortcuts_label_messages(live):
    """Playwright's sync API refuses to run where an asyncio loop is running; an earlier test in the
    same session can leave one behind, so the browser is driven from a thread of its own."""
    import threading

    failure: list[BaseException] = []

    def drive():
        try:
            _keyboard_shortcuts_label_messages(live)
        except BaseException as exc:  # re-raised in the test's own thread
            failure.append(exc)

    worker = threading.Thread(target=drive)
    worker.start()
    worker.join(timeout=300)
    assert not worker.is_alive(), "the browser test did not finish within 5 minutes"
    if failure:
        raise failure[0]
