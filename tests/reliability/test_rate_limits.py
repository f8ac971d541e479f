"""Rate limits on the public API: per client address and per conversation, a clear 429 JSON body
with Retry-After, configurable (CHAT_RATE_LIMIT), and admin sign-in limited too."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from handoff.ratelimit import ApiRateLimiter
from handoff.settings import Settings


def chat(client, sender: str, message: str = "my landlord kept my deposit"):
    return client.post("/api/chat", json={"sender": sender, "message": message})


def assert_429(response):
    assert response.status_code == 429, response.text
    body = response.json()
    assert set(body) == {"detail"} and body["detail"].startswith("Too many requests. Please wait ")
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert f"wait {retry_after} seconds" in body["detail"]


def test_chat_is_limited_per_client_address(make_client):
    client = make_client(chat_rate_limit="3/minute")
    assert [chat(client, f"s{i}").status_code for i in range(3)] == [200, 200, 200]
    assert_429(chat(client, "s-new"))  # a fresh conversation id does not reset the address's budget


def from_address(client, address: str) -> None:
    """Later requests of this TestClient come from another client address (same app, same event loop)."""
    client._transport.client = (address, 1000)


def test_chat_is_limited_per_conversation_from_any_address(make_client):
    client = make_client(chat_rate_limit="3/minute", client_address=("198.51.100.1", 1000))
    assert chat(client, "same").status_code == 200
    assert chat(client, "same").status_code == 200
    from_address(client, "198.51.100.2")
    assert chat(client, "same").status_code == 200
    assert_429(chat(client, "same"))
    assert chat(client, "other").status_code == 200  # the second address still has budget


def test_other_addresses_are_not_affected(make_client):
    client = make_client(chat_rate_limit="2/minute", client_address=("198.51.100.3", 1))
    chat(client, "a"), chat(client, "b")
    assert_429(chat(client, "c"))
    from_address(client, "198.51.100.4")
    assert chat(client, "d").status_code == 200


def test_triage_is_limited_per_client_address(make_client):
    client = make_client(chat_rate_limit="2/minute")
    assert [client.post("/api/triage", json={"text": "evicted"}).status_code for _ in range(2)] == [200, 200]
    assert_429(client.post("/api/triage", json={"text": "evicted"}))
    # Chat has its own budget.
    assert chat(client, "x").status_code == 200


def test_malformed_requests_count_too(make_client):
    client = make_client(chat_rate_limit="2/minute")
    assert client.post("/api/chat", json={"sender": "a"}).status_code == 422
    assert client.post("/api/chat", json={"message": 1}).status_code == 422
    assert_429(client.post("/api/chat", json={"sender": "a", "message": "hi"}))


def test_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHAT_RATE_LIMIT", "5000/minute")
    assert Settings().chat_rate_limit == "5000/minute"
    monkeypatch.setenv("CHAT_RATE_LIMIT", "plenty")
    with pytest.raises(ValidationError, match="chat_rate_limit"):
        Settings()


def test_default_limit_is_sensible():
    limiter = ApiRateLimiter(Settings.model_fields["chat_rate_limit"].default)
    assert 10 <= limiter.rate.amount <= 120 and limiter.rate.get_expiry() == 60


def test_openapi_documents_the_429(make_client):
    paths = make_client().get("/openapi.json").json()["paths"]
    for path in ("/api/chat", "/api/triage"):
        assert "429" in paths[path]["post"]["responses"]


def test_admin_sign_in_is_rate_limited_too():
    """The admin engineer's limiter (handoff.admin.security.LoginRateLimiter, tested in
    tests/admin/test_admin_security.py::test_login_rate_limit_gives_429) is wired to LOGIN_RATE_LIMIT."""
    from pathlib import Path

    import handoff.admin as admin

    source = Path(admin.__file__).read_text()
    assert "LoginRateLimiter(settings.login_rate_limit)" in source
    account = (Path(admin.__file__).parent / "views" / "account.py").read_text()
    assert "status_code=429" in account and "Retry-After" in account


def test_behind_a_trusted_proxy_each_person_has_their_own_budget(tmp_path, rasa_double):
    """Behind the TLS proxy (docker-compose trusts its X-Forwarded-For with FORWARDED_ALLOW_IPS),
    the limit counts per person, not once for everybody behind the proxy's address."""
    import httpx

    from tests.reliability.conftest import app_process

    with app_process(tmp_path, rasa_double.url, CHAT_RATE_LIMIT="2/minute", FORWARDED_ALLOW_IPS="*") as url:
        with httpx.Client(base_url=url, timeout=30) as client:
            def send(person: str, sender: str):
                return client.post("/api/chat", json={"sender": sender, "message": "hi"},
                                   headers={"X-Forwarded-For": person})

            assert send("198.51.100.10", "a").status_code == 200
            assert send("198.51.100.10", "b").status_code == 200
            assert_429(send("198.51.100.10", "c"))
            assert send("198.51.100.11", "d").status_code == 200  # someone else behind the same proxy


def test_compose_trusts_the_proxy_in_front_of_the_app():
    from tests.reliability.conftest import REPO

    compose = (REPO / "docker-compose.yml").read_text()
    app = compose[compose.index("\n  app:"):]
    assert "FORWARDED_ALLOW_IPS" in app


def test_history_is_limited_per_client_address(make_client):
    client = make_client(chat_rate_limit="2/minute")
    history = [client.get("/api/chat/history", params={"sender": f"s{i}"}) for i in range(2)]
    assert [r.status_code for r in history] == [200, 200], [r.text for r in history]
    assert_429(client.get("/api/chat/history", params={"sender": "s-new"}))
    assert chat(client, "x").status_code == 200  # reading history does not use up the chat budget
