"""A tiny, deterministic stand-in for the Rasa server, for the widget's browser tests.

Run:  python tests/browser/rasa_double.py [--port 0]
It prints one line `{"port": N}` on stdout once it listens on 127.0.0.1:N.

It speaks the two parts of Rasa's API that the app uses, in Rasa's own shapes:

* POST /webhooks/rest/webhook  {"sender", "message", "metadata"}
  -> a list like Rasa's REST channel (CollectingOutputChannel) returns: one entry per
     text part (text is split on blank lines), `buttons` on the text entry, and any
     `custom` JSON as a separate entry, each with "recipient_id".
* GET /conversations/<sender>/tracker
  -> {"sender_id", "events": [...], ...}: "action"/"session_started" events, "user" events
     with "text", "parse_data", "input_channel", "metadata", and "bot" events with "text",
     "data": {"buttons", "custom", ...} and "metadata".
* GET /status, GET / : a small status body.

Test controls (not part of Rasa):
* POST /_double/mode {"down": true|false}: while down, every Rasa endpoint answers 503.
* GET /_double/events/<sender>: the stored events (same as the tracker's "events").
* POST /_double/reset: forget all conversations.

Replies are chosen by simple rules on the message (see `reply_for`), so tests can rely on them.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

TOPICS = {
    "housing": "Housing",
    "family": "Family",
    "work": "Work",
    "debt": "Debt",
}


def topic_buttons() -> list[dict]:
    return [
        {"title": title, "payload": '/choose_topic{"topic":"%s"}' % key}
        for key, title in TOPICS.items()
    ]


def reply_for(message: str) -> tuple[str, list[dict]]:
    """(intent name, list of bot responses) for a user message; each response is a Rasa
    response dict with optional "text", "buttons" and "custom"."""
    text = message.strip()
    low = text.lower()
    if text == "/request_lawyer":
        return "request_lawyer", [
            {
                "text": "I can connect you with a volunteer lawyer through our referral service. "
                "May I ask a few short questions about your situation first?",
                "buttons": [
                    {"title": "Yes, go ahead", "payload": "/affirm"},
                    {"title": "I\u2019d rather not", "payload": "/deny"},
                ],
                "custom": {"kind": "handoff"},
            }
        ]
    if text.startswith("/choose_topic"):
        match = re.search(r'"topic"\s*:\s*"(\w+)"', text)
        key = match.group(1) if match and match.group(1) in TOPICS else "housing"
        return "choose_topic", [
            {
                "text": f"Here is general information about {TOPICS[key].lower()} problems. "
                f"Our free guide explains the first steps: https://legalaid.example.org/guides/{key}.",
                "custom": {
                    "kind": "answer",
                    "links": [
                        {"title": f"{TOPICS[key]} guide", "url": f"https://legalaid.example.org/guides/{key}"},
                    ],
                },
            },
            {
                "text": "Did this answer your question?",
                "buttons": [
                    {"title": "Yes, thanks", "payload": "/affirm"},
                    {"title": "No", "payload": "/deny"},
                ],
            },
        ]
    if text == "/affirm":
        return "affirm", [{"text": "Glad I could help. Is there anything else you'd like to know?"}]
    if text == "/deny":
        return "deny", [
            {"text": "Sorry about that. You can rephrase your question, or choose \u201cTalk to a lawyer\u201d at any time."}
        ]
    if any(word in low for word in ("danger", "emergency", "hurt me", "threaten")):
        return "emergency", [
            {
                "text": "If you are in immediate danger, call 911 now. "
                "You can also call the 24-hour domestic violence hotline at 1-800-799-7233.",
                "custom": {"kind": "emergency"},
            }
        ]
    if "unsafe links" in low:
        return "links_test", [
            {
                "text": "Plain: javascript:alert(1) and a real one: https://legalaid.example.org/safe-text",
                "custom": {
                    "links": [
                        {"title": "Script link", "url": "javascript:alert(1)"},
                        {"title": "Data link", "url": "data:text/html,<script>alert(1)</script>"},
                        {"title": "Safe link", "url": "https://legalaid.example.org/safe"},
                    ]
                },
            }
        ]
    if low in ("hi", "hello", "hey", "/greet") or low.startswith(("hello ", "hi ")):
        return "greet", [
            {
                "text": "Hello! I'm the LegalAid assistant. What is your question about?",
                "buttons": topic_buttons(),
            }
        ]
    if "slow" in low:
        time.sleep(1.5)
    return "nlu_fallback", [
        {
            "text": f"You wrote: {text}\n\nI can share general information about these topics:",
            "buttons": topic_buttons(),
        }
    ]


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: dict[str, list[dict]] = {}
        self.down = False

    def record(self, sender: str, message: str, metadata: dict) -> list[dict]:
        intent, responses = reply_for(message)
        now = time.time()
        with self.lock:
            events = self.events.setdefault(sender, [])
            if not events:
                events += [
                    {"event": "action", "timestamp": now, "name": "action_session_start", "policy": None, "confidence": 1.0},
                    {"event": "session_started", "timestamp": now},
                    {"event": "action", "timestamp": now, "name": "action_listen", "policy": None, "confidence": None},
                ]
            message_id = uuid.uuid4().hex
            events.append(
                {
                    "event": "user",
                    "timestamp": now,
                    "metadata": metadata,
                    "text": message,
                    "parse_data": {
                        "intent": {"name": intent, "confidence": 1.0},
                        "entities": [],
                        "text": message,
                        "message_id": message_id,
                        "metadata": metadata,
                    },
                    "input_channel": "rest",
                    "message_id": message_id,
                }
            )
            for index, response in enumerate(responses):
                events.append(
                    {"event": "action", "timestamp": now, "name": f"utter_{intent}", "policy": "RulePolicy", "confidence": 1.0}
                )
                events.append(
                    {
                        "event": "bot",
                        "timestamp": now + 0.001 * (index + 1),
                        "metadata": {"utter_action": f"utter_{intent}"},
                        "text": response.get("text"),
                        "data": {
                            "elements": None,
                            "quick_replies": None,
                            "buttons": response.get("buttons"),
                            "attachment": None,
                            "image": None,
                            "custom": response.get("custom"),
                        },
                    }
                )
            events.append({"event": "action", "timestamp": now, "name": "action_listen", "policy": None, "confidence": None})
        return rest_output(sender, responses)

    def tracker(self, sender: str) -> dict:
        with self.lock:
            events = [dict(e) for e in self.events.get(sender, [])]
        latest = next((e for e in reversed(events) if e["event"] == "user"), None)
        return {
            "sender_id": sender,
            "slots": {},
            "latest_message": (latest or {}).get("parse_data", {"intent": {}, "entities": [], "text": None}),
            "latest_event_time": events[-1]["timestamp"] if events else None,
            "followup_action": None,
            "paused": False,
            "events": events,
            "latest_input_channel": "rest" if latest else None,
            "active_loop": {},
            "latest_action": {"action_name": "action_listen"},
            "latest_action_name": "action_listen",
        }


def rest_output(sender: str, responses: list[dict]) -> list[dict]:
    """What Rasa's REST channel returns for these responses (see OutputChannel.send_response)."""
    out: list[dict] = []
    for response in responses:
        text, buttons, custom = response.get("text"), response.get("buttons"), response.get("custom")
        if buttons:
            out.append({"recipient_id": sender, "text": text, "buttons": buttons})
        elif text:
            out.extend({"recipient_id": sender, "text": part} for part in text.strip().split("\n\n"))
        if custom:
            out.append({"recipient_id": sender, "custom": custom})
    return out


STORE = Store()


class Handler(BaseHTTPRequestHandler):
    server_version = "RasaDouble/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args) -> None:  # quiet: tests read their own assertions
        pass

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            value = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return {}
        return value if isinstance(value, dict) else {}

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        path = urlsplit(self.path).path
        if path.startswith("/_double/events/"):
            sender = unquote(path[len("/_double/events/"):])
            return self._send(200, STORE.tracker(sender)["events"])
        if STORE.down:
            return self._send(503, {"status": "failure", "message": "double is down"})
        match = re.fullmatch(r"/conversations/([^/]+)/tracker", path)
        if match:
            return self._send(200, STORE.tracker(unquote(match.group(1))))
        if path in ("/", "/status", "/version"):
            return self._send(200, {"version": "3.6.0-double", "model_file": "double.tar.gz", "num_active_training_jobs": 0})
        self._send(404, {"status": "failure", "reason": "NotFound"})

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        body = self._body()
        if path == "/_double/mode":
            STORE.down = bool(body.get("down"))
            return self._send(200, {"down": STORE.down})
        if path == "/_double/reset":
            with STORE.lock:
                STORE.events.clear()
            return self._send(200, {"reset": True})
        if STORE.down:
            return self._send(503, {"status": "failure", "message": "double is down"})
        if path == "/webhooks/rest/webhook":
            sender, message = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not isinstance(message, str):
                return self._send(400, {"status": "failure", "message": "sender and message are required"})
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            return self._send(200, STORE.record(sender, message, metadata))
        self._send(404, {"status": "failure", "reason": "NotFound"})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
