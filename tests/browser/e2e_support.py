"""Helpers of the browser tests: the stack (app + Rasa double), the page guard, the widget driver.
The fixtures that use them are in conftest.py, whose docstring describes the two modes."""
from __future__ import annotations

from scripts import stack

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
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
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


# ----------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(method: str, url: str, body: dict | None = None, timeout: float = 5.0):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"null")


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 40.0) -> None:
    stack.wait_http(url, timeout=timeout, process=proc, name=url, log=log)


def stop(proc: subprocess.Popen) -> None:
    stack.stop_process(proc)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Stack:
    """Where the app is, and (in self-contained mode) the Rasa double behind it."""

    app_url: str
    double_url: str | None = None
    logs: dict = field(default_factory=dict)

    @property
    def is_double(self) -> bool:
        return self.double_url is not None

    def set_bot_down(self, down: bool) -> None:
        assert self.double_url, "only the Rasa double can be switched off"
        http_json("POST", f"{self.double_url}/_double/mode", {"down": down})

    def events(self, sender: str) -> list[dict]:
        assert self.double_url, "only the Rasa double exposes its events"
        return http_json("GET", f"{self.double_url}/_double/events/{sender}")

    def user_events(self, sender: str) -> list[dict]:
        return [e for e in self.events(sender) if e["event"] == "user"]


# ----------------------------------------------------------------------------- the page


@dataclass
class Guard:
    """What a page did that a test should know about: dialogs, script errors, outside requests."""

    allowed_origins: set
    dialogs: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    foreign_requests: list = field(default_factory=list)

    def on_request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if origin(url) not in self.allowed_origins:
            self.foreign_requests.append(url)

    def on_dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def problems(self) -> list[str]:
        found = []
        if self.dialogs:
            found.append(f"dialogs opened: {self.dialogs}")
        if self.page_errors:
            found.append(f"page errors: {self.page_errors}")
        if self.foreign_requests:
            found.append(f"requests outside the app: {self.foreign_requests}")
        return found


class Widget:
    """Small driver for the widget on a page, using what a person sees (roles, names, labels)."""

    def __init__(self, page, stack: Stack, guard: Guard | None = None):
        self.page = page
        self.stack = stack
        self.guard = guard
        self.launcher = page.get_by_role("button", name="Legal help chat")
        self.panel = page.get_by_role("dialog", name="LegalAid assistant")
        self.close_button = page.get_by_role("button", name="Close chat")
        self.input = page.get_by_label("Type your message")
        self.send_button = page.get_by_role("button", name="Send message")
        self.lawyer = page.get_by_role("button", name="Talk to a lawyer")
        self.new_conversation = page.get_by_role("button", name="New conversation")
        self.log = page.get_by_role("log")
        self.alert = page.locator(".lac-alert")
        self.retry = page.locator(".lac-retry")
        self.typing = page.locator(".lac-typing")
        self.bot = page.locator(".lac-log .lac-msg--bot")
        self.user = page.locator(".lac-log .lac-msg--user")
        self.chips = page.locator(".lac-log .lac-chip")

    def goto(self, url: str | None = None) -> "Widget":
        self.page.goto(url or self.stack.app_url + "/")
        return self.ready()

    def ready(self) -> "Widget":
        """Wait for the widget to be built (the launcher is hidden under the panel on phones)."""
        self.page.locator(".lac-launcher").wait_for(state="attached")
        return self

    def reload(self) -> "Widget":
        self.page.reload()
        return self.ready()

    def open(self) -> "Widget":
        if not self.panel.is_visible():
            self.launcher.click()
        self.panel.wait_for(state="visible")
        # History restore (if any) is over when the typing indicator is gone.
        self.typing.wait_for(state="hidden")
        return self

    def send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def wait_bot(self, count: int, timeout: float = 15_000) -> None:
        """Wait until at least `count` bot messages are shown and nothing is pending."""
        self.page.wait_for_function(
            "n => document.querySelectorAll('.lac-log .lac-msg--bot').length >= n", arg=count, timeout=timeout
        )
        self.typing.wait_for(state="hidden", timeout=timeout)

    def user_texts(self) -> list[str]:
        return self.user.locator(".lac-bubble").all_text_contents()

    def bot_texts(self) -> list[str]:
        return self.bot.locator(".lac-bubble").all_text_contents()

    def transcript(self) -> list[list[str]]:
        return self.page.eval_on_selector_all(
            ".lac-log .lac-msg",
            """nodes => nodes.map(n => [n.classList.contains('lac-msg--user') ? 'user' : 'bot',
                                         (n.querySelector('.lac-bubble') || n).textContent])""",
        )

    def sender(self) -> str | None:
        return self.page.evaluate("() => localStorage.getItem('legalaid-chat:sender')")

    @contextlib.contextmanager
    def bot_down(self):
        """The chat API answers 503: the real app's 503 with the double switched off, or (against the
        full product) simulated in the browser."""
        if self.stack.is_double:
            self.stack.set_bot_down(True)
            try:
                yield
            finally:
                self.stack.set_bot_down(False)
        else:
            pattern = "**/api/chat**"

            def handler(route):
                route.fulfill(status=503, content_type="application/json", body=json.dumps({"detail": "down (simulated)"}))

            self.page.route(pattern, handler)
            try:
                yield
            finally:
                self.page.unroute(pattern, handler)
