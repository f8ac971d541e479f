"""Fixtures for the web chat widget's browser tests (Playwright for Python + Debian's Chromium).

Two ways to run them:

* Default (self-contained): the session-scoped `stack` fixture starts a small Rasa test double
  (`tests/browser/rasa_double.py`: deterministic replies with buttons and links, in the shapes of
  Rasa's REST channel and tracker JSON) and the real app (`uvicorn handoff.main:create_app
  --factory` from this venv) as subprocesses on free 127.0.0.1 ports, the app's RASA_URL pointing
  at the double and its databases in a temporary folder. Tests may then assert exact bot texts,
  switch the double "down" to get real 503s from the app, and read what the double stored per
  sender (user text, payload, metadata.display_text).

* Against the full product: LEGALAID_E2E_APP_URL=http://127.0.0.1:8000 uses an app that is
  already running with the real Rasa bot behind it; nothing is started. The tests then assert
  only what does not depend on the bot's wording (a reply appears, quick replies are clickable,
  history is restored after a reload, XSS stays inert, the retry message appears: the outage is
  simulated in the browser by answering /api/chat with 503 or aborting the request); the tests
  that need the double's exact replies are skipped.

Chromium: /usr/bin/chromium (Debian package `chromium`; never `playwright install`), or the path
in LEGALAID_CHROMIUM. Run: `.venv-app/bin/pytest tests/browser -q`. Screenshots of the widget go
to test-artifacts/screenshots/ (git-ignored).
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from e2e_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    HERE,
    REPO,
    SCREENSHOTS,
    Guard,
    Stack,
    Widget,
    free_port,
    origin,
    stop,
    wait_http,
)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    external = os.environ.get("LEGALAID_E2E_APP_URL", "").strip().rstrip("/")
    if external:
        yield Stack(app_url=external)
        return

    tmp = tmp_path_factory.mktemp("browser-stack")
    double_log = tmp / "rasa_double.log"
    double = subprocess.Popen(
        [sys.executable, str(HERE / "rasa_double.py"), "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=double_log.open("wb"),
        text=True,
    )
    app = None
    try:
        line = double.stdout.readline()
        if not line:
            raise RuntimeError(f"rasa double did not start:\n{double_log.read_text()}")
        double_url = f"http://127.0.0.1:{json.loads(line)['port']}"
        wait_http(f"{double_url}/status", double, double_log)

        app_port = free_port()
        app_url = f"http://127.0.0.1:{app_port}"
        app_log = tmp / "app.log"
        env = dict(os.environ)
        env.update(
            {
                "RASA_URL": double_url,
                "RASA_TOKEN": "",
                "RASA_TIMEOUT_SECONDS": "10",
                "DATABASE_URL": f"sqlite:///{tmp / 'app.db'}",
                "TRACKER_DATABASE_URL": f"sqlite:///{tmp / 'tracker.db'}",
                # The widget tests send many messages from one address: keep rate limits out of the way.
                "CHAT_RATE_LIMIT": "10000/minute",
                "LOGIN_RATE_LIMIT": "10000/minute",
                "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(32),
                "SERVICE_TOKEN": env.get("SERVICE_TOKEN") or secrets.token_urlsafe(32),
                "PYTHONUNBUFFERED": "1",
            }
        )
        app = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "handoff.main:create_app", "--factory",
                "--host", "127.0.0.1", "--port", str(app_port), "--log-level", "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=app_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_http(f"{app_url}/api/health", app, app_log)
        yield Stack(app_url=app_url, double_url=double_url, logs={"app": app_log, "double": double_log})
    finally:
        if app is not None:
            stop(app)
        stop(double)
        if double.stdout:
            double.stdout.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def make_page(browser, stack):
    """make_page(viewport=..., **context_options) -> (page, guard). Each page gets its own browser
    context (fresh localStorage). At teardown the test fails on a dialog (alert), a JS error or a
    request to anything but the app (the widget must make no external request)."""
    made = []

    def _make(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        guard = Guard(allowed_origins={origin(stack.app_url)})
        page.on("dialog", guard.on_dialog)
        page.on("pageerror", lambda exc: guard.page_errors.append(str(exc)))
        page.on("request", guard.on_request)
        made.append((context, guard))
        return page, guard

    yield _make
    problems = []
    for context, guard in made:
        context.close()
        problems += guard.problems()
    assert not problems, "; ".join(problems)


@pytest.fixture
def widget_on(make_page, stack):
    """widget_on(viewport=..., **context_options) -> Widget driver on the demo page, panel closed."""

    def _make(viewport=DESKTOP, **options):
        page, guard = make_page(viewport=viewport, **options)
        return Widget(page, stack, guard).goto()

    return _make


@pytest.fixture
def widget(widget_on):
    return widget_on()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
