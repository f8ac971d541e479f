"""scripts/simulate_conversations.py against a scripted stand-in for the app (httpx.MockTransport)."""
from __future__ import annotations

import json

import httpx
import pytest

from scripts import simulate_conversations as sim

FEEDBACK = [{"title": "This helped", "payload": "/feedback_helpful"},
            {"title": "This didn't help", "payload": "/feedback_not_helpful"},
            {"title": "Talk to a lawyer", "payload": "/request_lawyer"}]
OFFER = [{"title": "Yes, connect me with a lawyer", "payload": "/affirm"}, {"title": "No thanks", "payload": "/deny"}]
TOKEN = "simulation-test-token"


class FakeApp:
    """Just enough of the bot's dialogue: answer, feedback, lawyer offer, consent-first lead form; leads API."""

    def __init__(self, *, throttle_first: int = 0):
        self.state: dict[str, str] = {}
        self.sent: list[tuple[str, str, str | None]] = []
        self.leads: dict[int, dict] = {}
        self.patches: list[tuple[int, dict]] = []
        self.throttle = throttle_first

    def reply(self, sender: str, message: str) -> list[dict]:
        state = self.state.get(sender, "")
        def say(text, buttons=(), kind=None, next_state=""):
            self.state[sender] = next_state
            return [{"text": text, "buttons": list(buttons), "kind": kind, "links": []}]
        if state == "offer":
            if message == "/affirm":
                return say("Before I ask for your contact details... Do you agree?", OFFER, "consent", "consent")
            return say("Okay. Here are some free resources.")
        if state == "consent":
            return say("What name should the lawyer use for you?", next_state="name") if message == "/affirm" \
                else say("Okay, nothing was shared.")
        if state == "name":
            if message == "cancel":
                return say("Okay, I've stopped. Nothing was sent.")
            return say("What's the best email address or phone number to reach you?", next_state="contact")
        if state == "contact":
            return say("Which US state are you in? A two-letter code (like TX) or your ZIP code is fine.", next_state="state")
        if state == "state":
            return say("Here's the summary I'll share with the lawyer: ... Is that right?",
                       [{"title": "Yes, that's right", "payload": "/affirm"}], next_state="summary")
        if state == "summary":
            return say("How urgent is this?", [{"title": "High", "payload": "high"}, {"title": "Normal", "payload": "normal"}],
                       next_state="urgency")
        if state == "urgency":
            lead_id = len(self.leads) + 1
            self.leads[lead_id] = {"id": lead_id, "conversation_id": sender, "status": "assigned" if lead_id % 2 else "new"}
            return say("Thank you, Test Person. Your request has been sent.", kind="handoff_done")
        if message == "/feedback_helpful":
            return say("I'm glad it helped.")
        if message in ("/feedback_not_helpful", "/request_lawyer") or "lawyer" in message or "attorney" in message:
            return say("Would you like me to connect you with a lawyer?", OFFER, "handoff", "offer")
        if message.lower().startswith(("hi", "hello", "hey", "good")) and len(message) < 30:
            return say("Hi, I'm the LegalAid assistant.")
        return say("Here is some general information.", FEEDBACK, "answer")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/chat":
            if self.throttle:
                self.throttle -= 1
                return httpx.Response(429, headers={"Retry-After": "1"}, json={"detail": "slow down"})
            body = json.loads(request.content)
            self.sent.append((body["sender"], body["message"], request.headers.get("X-Display-Text")))
            return httpx.Response(200, json={"sender": body["sender"], "messages": self.reply(body["sender"], body["message"])})
        assert request.headers.get("Authorization") == f"Bearer {TOKEN}"
        if request.url.path == "/api/leads" and request.method == "GET":
            q = request.url.params["q"]
            items = [lead for lead in self.leads.values() if q in lead["conversation_id"]]
            return httpx.Response(200, json={"items": items, "total": len(items), "page": 1, "per_page": 100})
        if request.method == "PATCH":
            lead_id = int(request.url.path.split("/")[3])
            body = json.loads(request.content)
            self.patches.append((lead_id, body))
            self.leads[lead_id]["status"] = body["status"]
            return httpx.Response(200, json=self.leads[lead_id])
        return httpx.Response(404)


def test_every_topic_is_asked_and_plans_are_reproducible():
    import random

    a = [sim.make_persona(random.Random(5), n, f"s-{n}") for n in range(1, 41)]
    b = [sim.make_persona(random.Random(5), n, f"s-{n}") for n in range(1, 41)]
    assert [p.opener for p in a] == [p.opener for p in b]
    assert [p.topic for p in a[:16]] == list(sim.TOPICS) and len(sim.TOPICS) == 16
    assert all(p.style == "clear" for p in a[:16])


def test_run_fills_the_form_with_fake_data_and_moves_leads(monkeypatch, capsys):
    monkeypatch.setenv("SERVICE_TOKEN", TOKEN)
    app = FakeApp(throttle_first=2)
    sleeps: list[float] = []
    assert sim.main(["--count", "60", "--seed", "11"], transport=httpx.MockTransport(app), sleep=sleeps.append) == 0
    senders = {s for s, _, _ in app.sent}
    assert len(senders) == 60                                 # bounded by --count
    assert sleeps[:2] == [1.0, 1.0]                           # 429 honoured with Retry-After
    typed = [m for _, m, _ in app.sent]
    assert "Test Person" in typed and "TX" in typed
    emails = [m for m in typed if "@" in m]
    assert emails and all(m.startswith("test-") and m.endswith("@example.com") for m in emails)
    clicks = {(m, d) for _, m, d in app.sent if m.startswith("/")}
    assert ("/feedback_helpful", "This helped") in clicks and ("/affirm", "Yes, I agree") in clicks
    assert app.leads, "some conversations should end with a lead"
    assert app.patches and all(body["actor"] == "simulation" for _, body in app.patches)
    assert all(body.get("reason") for _, body in app.patches if body["status"] in ("not_retained", "closed"))
    out = capsys.readouterr().out
    assert "60 conversations" in out and "leads submitted" in out


def test_count_is_bounded():
    with pytest.raises(SystemExit):
        sim.main(["--count", "0"])
    with pytest.raises(SystemExit):
        sim.main(["--count", str(sim.MAX_COUNT + 1)])


def test_unreachable_app_fails_fast(capsys):
    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    assert sim.main(["--count", "3", "--no-leads"], transport=httpx.MockTransport(refuse), sleep=lambda s: None) == 1
    assert "Is the stack running" in capsys.readouterr().err


def test_service_token_from_secrets_file(tmp_path):
    secrets_file = tmp_path / "secrets.env"
    secrets_file.write_text("# generated\nRASA_TOKEN=a\nSERVICE_TOKEN=from-file\n")
    assert sim.service_token({}, secrets_file) == "from-file"
    assert sim.service_token({"SERVICE_TOKEN": "from-env"}, secrets_file) == "from-env"
    assert sim.service_token({}, tmp_path / "missing.env") is None
