"""Several Rasa replicas (RASA_URL=url1,url2): a conversation sticks to one replica, conversations
spread over all of them, and a replica that is down is skipped."""
from __future__ import annotations

from tests.reliability.conftest import RasaDouble, free_port


def test_conversations_stick_to_one_replica_and_spread_over_all(make_client):
    with RasaDouble() as first, RasaDouble() as second:
        client = make_client(rasa_url=f"{first.url}, {second.url}")
        assert client.app.state.rasa.replicas == 2
        senders = [f"conv-{i}" for i in range(40)]
        for turn in range(3):
            for sender in senders:
                assert client.post("/api/chat", json={"sender": sender, "message": f"turn {turn}"}).status_code == 200
        on_first, on_second = first.server.conversations, second.server.conversations
        assert not set(on_first) & set(on_second)  # never split
        assert all(len(on_first.get(s, on_second.get(s, []))) == 3 for s in senders)
        assert len(on_first) >= 8 and len(on_second) >= 8  # both used
        # History comes from the replica that holds the conversation.
        some = next(iter(on_second))
        history = client.get("/api/chat/history", params={"sender": some}).json()["messages"]
        assert [m["text"] for m in history] == ["turn 0", "turn 1", "turn 2"]
        # Triage (no conversation) alternates.
        before = first.requests + second.requests
        for _ in range(6):
            assert client.post("/api/triage", json={"text": "evicted"}).status_code == 200
        assert first.requests + second.requests == before + 6


def test_a_replica_that_is_down_is_skipped(make_client):
    with RasaDouble() as alive:
        dead = f"http://127.0.0.1:{free_port()}"
        client = make_client(rasa_url=f"{dead},{alive.url}")
        for i in range(10):
            assert client.post("/api/chat", json={"sender": f"s{i}", "message": "hi"}).status_code == 200
            assert client.post("/api/triage", json={"text": "hi"}).status_code == 200
        assert len(alive.server.conversations) == 10


def test_all_replicas_down_is_a_503(make_client):
    client = make_client(rasa_url=f"http://127.0.0.1:{free_port()},http://127.0.0.1:{free_port()}")
    response = client.post("/api/chat", json={"sender": "s", "message": "hi"})
    assert response.status_code == 503
