"""Notifications reach the assigned lawyer through the Notifier interface; failures never lose a lead."""
from __future__ import annotations

import json
import logging
import socketserver
import threading
from email import message_from_bytes

import pytest
from fastapi.testclient import TestClient
from referral_helpers import TOKEN, FailingNotifier, add_lawyer, lead_body, make_settings, post_lead

from handoff.deps import get_notifier, get_session
from handoff.leads import service
from handoff.leads.models import Lead
from handoff.main import create_app
from handoff.notifications import FileNotifier, Message, Notifier, SmtpNotifier, build_notifier
from handoff.settings import Settings


def test_assigned_lawyer_is_notified(client, session, notifier):
    lawyer = add_lawyer(session)
    lead = post_lead(client, urgency="high").json()
    assert len(notifier.messages) == 1
    message = notifier.messages[0]
    assert message.to == lawyer.email
    assert message.lead_id == lead["id"]
    assert message.subject == f"New referral #{lead['id']}: housing (high urgency)"
    for text in ("Pat Example", "pat@example.com", "+12125550142", "Example Properties LLC", "evict"):
        assert text in message.body
    assert lead["history"][-1]["event"] == "notified"


def test_no_notification_without_a_lawyer(client, session, notifier):
    post_lead(client)
    assert notifier.messages == []


def test_reassignment_notification(client, session, notifier):
    add_lawyer(session)
    other = add_lawyer(session)
    lead = post_lead(client).json()
    updated = service.assign_lead(session, lead_id=lead["id"], lawyer_id=other.id, actor="staff:alice", notifier=notifier)
    assert [m.to for m in notifier.messages][-1] == other.email
    assert [h.event for h in updated.history][-2:] == ["reassigned", "notified"]
    assert service.notify_assigned_lawyer(session, lead=updated, notifier=FailingNotifier()) is False
    assert updated.history[-1].event == "notification_failed"


def test_failure_does_not_fail_lead_creation_and_logs_no_personal_data(app, session, caplog):
    add_lawyer(session)
    failing = FailingNotifier()
    app.dependency_overrides[get_notifier] = lambda: failing
    body = lead_body(name="Zelda Uniquename", email="zelda.unique@example.com", phone="(415) 555-0177",
                     summary="Sensitive story about qwertyuiop")
    with caplog.at_level(logging.DEBUG), TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {TOKEN}"
        response = post_lead(client, body)
    assert response.status_code == 201
    assert failing.attempts == 1
    lead = response.json()
    assert lead["status"] == "assigned"
    assert lead["history"][-1]["event"] == "notification_failed"
    assert session.get(Lead, lead["id"]) is not None
    warnings = [r for r in caplog.records if "notifying lawyer" in r.getMessage()]
    assert warnings and "ConnectionRefusedError" in warnings[0].getMessage()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("Zelda", "zelda.unique", "4155550177", "555-0177", "qwertyuiop"):
        assert secret not in logged


def test_file_notifier_appends_json_lines(tmp_path):
    path = tmp_path / "var" / "outbox_mail.log"
    notifier = FileNotifier(path)
    assert isinstance(notifier, Notifier)
    threads = [threading.Thread(target=notifier.send, args=(Message(to=f"l{i}@example.com", subject="s", body="b\nc", lead_id=i),))
               for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert sorted(r["lead_id"] for r in records) == list(range(20))
    assert {"sent_at", "to", "subject", "body", "kind", "lead_id"} <= set(records[0])


def test_default_app_notifier_writes_the_outbox_file(tmp_path, session):
    settings = make_settings(tmp_path)
    app = create_app(settings)
    app.dependency_overrides[get_session] = lambda: session
    add_lawyer(session)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {TOKEN}"
        assert post_lead(client).status_code == 201
    lines = settings.mail_outbox_path.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["kind"] == "lead_assigned"


def test_notifier_is_chosen_by_settings(tmp_path, monkeypatch):
    assert isinstance(build_notifier(make_settings(tmp_path)), FileNotifier)
    for name, value in {"NOTIFIER": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "2525", "SMTP_USER": "u",
                        "SMTP_PASSWORD": "p", "SMTP_FROM": "referrals@example.com", "SMTP_STARTTLS": "false"}.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    smtp = build_notifier(settings)
    assert isinstance(smtp, SmtpNotifier)
    assert (smtp.host, smtp.port, smtp.user, smtp.sender, smtp.starttls) == ("127.0.0.1", 2525, "u", "referrals@example.com", False)
    assert "smtp_password" not in repr(settings)
    monkeypatch.delenv("SMTP_HOST")
    with pytest.raises(ValueError, match="SMTP_HOST"):
        Settings(_env_file=None)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self.reply("220 test ESMTP")
        while True:
            line = self.rfile.readline().decode().strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-test")
                self.reply("250 AUTH PLAIN")
            elif verb == "AUTH":
                self.server.auth.append(line)
                self.reply("235 ok")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.server.envelope.append(line)
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b""):
                        break
                    data += chunk
                self.server.messages.append(data)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 no")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.messages, server.envelope, server.auth = [], [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_smtp_notifier_sends_to_local_server(smtp_server):
    port = smtp_server.server_address[1]
    notifier = SmtpNotifier(host="127.0.0.1", port=port, sender="referrals@example.com", user="bot",
                            password="secret", starttls=False, timeout=5)
    notifier.send(Message(to="lawyer@example.com", subject="New referral #7", body="Hello\nthere", lead_id=7))
    assert smtp_server.auth and smtp_server.auth[0].startswith("AUTH PLAIN")
    assert any("lawyer@example.com" in line for line in smtp_server.envelope)
    email = message_from_bytes(smtp_server.messages[0])
    assert email["To"] == "lawyer@example.com"
    assert email["From"] == "referrals@example.com"
    assert email["Subject"] == "New referral #7"
    assert "Hello" in email.get_payload()


def test_smtp_notifier_failure_is_an_exception():
    notifier = SmtpNotifier(host="127.0.0.1", port=1, sender="referrals@example.com", starttls=False, timeout=2)
    with pytest.raises(OSError):
        notifier.send(Message(to="lawyer@example.com", subject="s", body="b"))
