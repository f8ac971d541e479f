"""Hostile input at the public API, in-process: at least 10,000 generated requests to /api/chat and
/api/triage (unicode, control characters, lone surrogates, 100 KB strings, HTML/JS, SQL-like text,
emoji, invalid UTF-8 bytes, nested JSON, numbers/null/arrays as values). Never a 5xx, never a
crash, always a JSON answer, each within a bounded time. Rasa is the HTTP double of conftest.py.
"""
from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Requests sent by this module; the last test checks that together they reach the target.
SENT = {"chat": 0, "triage": 0}
STATUSES: dict[int, int] = {}
TARGET = 10_000
PER_EXAMPLE = 5  # requests per generated example (a batch keeps Hypothesis' own overhead small)
EXAMPLES = TARGET // PER_EXAMPLE // 2 + 20  # per endpoint
MAX_SECONDS = 5.0  # per request, in-process against the double

HOSTILE_SNIPPETS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(document.cookie)>", "javascript:alert(1)",
    "'; DROP TABLE leads; --", "\" OR 1=1 --", "1; SELECT * FROM staff_users", "${jndi:ldap://127.0.0.1/a}",
    "{{7*7}}", "{% raw %}", "../../../../etc/passwd", "%00", "\\u0000", "/restart", "/affirm{\"x\": [1,2]}",
    "/choose_topic{\"topic\": {\"nested\": [null, 1e308]}}", "/session_start", "/intent{not json",
    "\u202etxt.exe", "\u200b\u200c\u200d\ufeff", "👩‍👩‍👧‍👦🏳️‍🌈", "Z̷̢̛̯̈́͌a̴̧̞͐l̸̰̈g̷̝̈́o̶", "\ud83d", "\udfff",
    "\x1b[31mred\x1b[0m", "\r\n\r\nHTTP/1.1 200 OK", "A" * 5000, "é" * 5001, "\U0010ffff", "NaN", "null",
]

# Any code point, including lone surrogates (category Cs) and control characters (Cc).
any_char = st.characters(codec=None, exclude_categories=())
texts = st.one_of(
    st.text(alphabet=any_char, max_size=300),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=50),
    st.sampled_from(HOSTILE_SNIPPETS),
    st.lists(st.sampled_from(HOSTILE_SNIPPETS), min_size=1, max_size=6).map(" ".join),
    st.builds(lambda s, n: (s or "x") * n, st.text(max_size=5), st.integers(min_value=1_000, max_value=20_000)),
    st.just("x" * 100_000),
    st.just("€" * 50_000),
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
senders = st.one_of(
    st.from_regex(r"\A[A-Za-z0-9_.:-]{1,128}\Z"),
    st.text(alphabet=any_char, max_size=200),
    json_values,
)


def _raw(body) -> bytes:
    return json.dumps(body, ensure_ascii=True).encode()


def _bodies(field: str, other: dict):
    """Whole request bodies as raw bytes: valid, wrong types, nested, extra keys, invalid UTF-8, truncated."""
    return st.one_of(
        st.builds(lambda v: _raw({**other, field: v}), texts),
        st.builds(lambda v: _raw({**other, field: v}), json_values),
        st.builds(lambda s, v: _raw({"sender": s, field: v}) if field == "message" else _raw({field: v}), senders, texts),
        st.builds(lambda v: _raw(v), json_values),
        st.builds(lambda v, k, x: _raw({**other, field: v, k: x}), texts, st.text(min_size=1, max_size=10), json_values),
        st.binary(max_size=400),  # mostly invalid UTF-8 / not JSON
        st.builds(lambda v: _raw({**other, field: v})[:-3], texts),  # truncated JSON
        st.builds(lambda b: b'{"' + field.encode() + b'": "' + b + b'"' + (b', "sender": "abc"}' if field == "message" else b"}"),
                  st.binary(min_size=1, max_size=60)),  # invalid UTF-8 inside a string
    )


headers = st.one_of(
    st.just({"content-type": "application/json"}),
    st.just({"content-type": "text/plain"}),
    st.just({}),
    st.builds(lambda d: {"content-type": "application/json", "X-Display-Text": d.encode("latin-1")},
              st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=400)),
)


def check(response, elapsed: float) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert response.status_code in (200, 422, 415, 400), (response.status_code, response.text[:300])
    assert elapsed < MAX_SECONDS, elapsed
    body = response.json()  # always JSON
    assert "Traceback" not in response.text
    if response.status_code == 200:
        assert isinstance(body, dict)
    else:
        assert isinstance(body.get("detail"), str)


@pytest.fixture(scope="module")
def client(tmp_path_factory, rasa_double):
    from fastapi.testclient import TestClient

    from handoff.main import create_app
    from tests.reliability.conftest import app_settings

    app = create_app(app_settings(tmp_path_factory.mktemp("hostile"), rasa_double.url))
    with TestClient(app, raise_server_exceptions=False, client=("203.0.113.9", 4000)) as test_client:
        yield test_client


def _send(client, path: str, raw: bytes, header: dict, counter: str) -> None:
    start = time.perf_counter()
    response = client.post(path, content=raw, headers=header)
    check(response, time.perf_counter() - start)
    SENT[counter] += 1
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1


@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(batch=st.lists(st.tuples(_bodies("message", {"sender": "hostile-1"}), headers), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
def test_chat_survives_hostile_bodies(client, batch):
    for raw, header in batch:
        _send(client, "/api/chat", raw, header, "chat")


@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(batch=st.lists(st.tuples(_bodies("text", {}), headers), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
def test_triage_survives_hostile_bodies(client, batch):
    for raw, header in batch:
        _send(client, "/api/triage", raw, header, "triage")


@settings(max_examples=150, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(message=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=200).filter(lambda t: t.strip() and "\x00" not in t))
def test_accepted_messages_round_trip_as_valid_json(client, message):
    """Any non-blank text of valid Unicode reaches Rasa and comes back as valid UTF-8 JSON."""
    start = time.perf_counter()
    response = client.post("/api/chat", content=_raw({"sender": "roundtrip", "message": message}),
                           headers={"content-type": "application/json"})
    check(response, time.perf_counter() - start)
    SENT["chat"] += 1
    assert response.status_code == 200, response.text[:300]
    json.loads(response.content.decode("utf-8"))  # strict UTF-8


@pytest.mark.parametrize("escaped", ["\\ud800", "hi \\udfff there", "\\ud83d\\ude00\\ud83d"])
def test_lone_surrogates_are_refused_clearly(client, escaped):
    """JSON may escape a lone surrogate, which is not a character: a 422 naming the field, not a 500."""
    raw = ('{"sender": "s", "message": "' + escaped + '"}').encode()
    response = client.post("/api/chat", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "message"
    SENT["chat"] += 1


def test_history_with_hostile_sender_ids(client):
    for sender in ["../../etc", "a" * 129, "", "%2e%2e", "<script>", "\u0000", "ok-sender"]:
        response = client.get("/api/chat/history", params={"sender": sender})
        assert response.status_code in (200, 422), response.text


def test_at_least_ten_thousand_messages_were_sent():
    total = SENT["chat"] + SENT["triage"]
    if total == 0:
        pytest.skip("run with the tests above")
    assert total >= TARGET, SENT
    print(f"hostile input: {SENT}, statuses {STATUSES}")
    # The generators reach past validation too: a good share is accepted and goes through to Rasa.
    assert STATUSES.get(200, 0) >= total * 0.05, STATUSES
