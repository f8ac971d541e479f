"""Whatever Rasa answers (a refused token, an error page, a body of the wrong shape, garbage inside
the replies), the chat and triage APIs answer 200 or a clear 503, never a 500."""
from __future__ import annotations

import httpx
import pytest

from handoff.chat.rasa_client import RasaClient
from handoff.main import create_app
from tests.reliability.conftest import app_settings

UNAVAILABLE = {"detail": "The chat assistant is temporarily unavailable. Please try again in a minute."}


def test_wrong_rasa_token_is_a_503_not_a_500(make_client, caplog):
    client = make_client(rasa_token="not-the-token")
    response = client.post("/api/triage", json={"text": "my landlord kept my deposit"})
    assert response.status_code == 503 and response.json() == UNAVAILABLE
    assert "check RASA_TOKEN" in caplog.text


BAD_RASA_ANSWERS = [
    (200, b"<html>bad gateway</html>", "text/html"),
    (200, b'{"truncated": ', "application/json"),
    (200, b'"a string"', "application/json"),
    (200, b"null", "application/json"),
    (200, b'{"a": 1}', "application/json"),  # the REST channel answers a list
    (200, b'[1, "x", null, [], {"text": null, "buttons": "nope", "custom": 5}, {"text": 7, "buttons": [1, {"title": null}]}]',
     "application/json"),
    (404, b"{}", "application/json"),
    (429, b"slow down", "text/plain"),
    (502, b"", "text/plain"),
]


@pytest.mark.parametrize("status, body, content_type", BAD_RASA_ANSWERS)
def test_strange_rasa_answers_never_become_a_500(tmp_path, status, body, content_type):
    from fastapi.testclient import TestClient

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    app = create_app(app_settings(tmp_path, "http://rasa.invalid"))
    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.rasa = RasaClient(base_url="http://rasa.invalid", token="t", timeout=5, transport=httpx.MockTransport(handler))
        for response in (
            client.post("/api/chat", json={"sender": "s", "message": "hello"}),
            client.post("/api/triage", json={"text": "hello"}),
            client.get("/api/chat/history", params={"sender": "s"}),
        ):
            assert response.status_code in (200, 503), (response.status_code, response.text)
            if response.status_code == 503:
                assert response.json() == UNAVAILABLE


def test_slow_rasa_is_bounded_by_the_timeout(tmp_path):
    """A Rasa that never answers costs at most rasa_timeout_seconds, then a 503."""
    import socket
    import threading
    import time

    from fastapi.testclient import TestClient

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        app = create_app(app_settings(tmp_path, url, rasa_timeout_seconds=1.0))
        with TestClient(app, raise_server_exceptions=False) as client:
            started = time.monotonic()
            response = client.post("/api/chat", json={"sender": "s", "message": "hello"})
            assert response.status_code == 503
            assert time.monotonic() - started < 5
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        listener.close()
