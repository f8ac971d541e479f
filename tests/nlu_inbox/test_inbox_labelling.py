"""The NLU inbox (/admin/inbox): listing, filters, labelling, bulk actions, CSRF and roles."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from admin_helpers import csrf_from
from inbox_helpers import log_bot, log_message
from sqlalchemy import select

from handoff.admin.models import AuditEntry
from handoff.nlu_inbox import service
from handoff.nlu_inbox.models import InboxMessage, NluLabel

PII_MESSAGE = ("Hi, my name is Maria Lopez, my landlord at 4417 Elm Avenue wants me out. "
               "Call me at (937) 555-0148 or maria.lopez@gmail.com")


def event_ids_on(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-event-id="(\d+)"', html)]


def token(client) -> str:
    return csrf_from(client.get("/admin/inbox").text)


@pytest.fixture
def messages(tracker, now):
    """Five messages over three days with different topics and confidences."""
    day = 86400
    return {
        "evict": log_message(tracker, "my landlord says i have 3 days to leave", topic="housing", confidence=0.62,
                             at=now - 2 * day),
        "pii": log_message(tracker, PII_MESSAGE, topic="housing", confidence=0.31, at=now - 2 * day + 60),
        "fired": log_message(tracker, "got fired for asking about overtime", topic="employment", confidence=0.44,
                             at=now - day),
        "ticket": log_message(tracker, "speeding ticket in a school zone", topic="traffic", confidence=0.91,
                              at=now - 3600),
        "weather": log_message(tracker, "whats the weather like", topic="consumer", confidence=0.12, at=now - 60,
                               intent="out_of_scope", ranking=[("consumer", 0.12), ("courts", 0.08)]),
    }


# --- listing -------------------------------------------------------------------------------------

def test_signed_out_visitors_are_sent_to_sign_in(anon):
    response = anon.get("/admin/inbox")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login")


def test_lists_messages_lowest_confidence_first(reviewer_client, messages, tracker, now):
    log_message(tracker, "/request_lawyer", topic=None, confidence=1.0, at=now)  # a button payload: not listed
    log_bot(tracker, "How can I help?", at=now, sender_id="conv-x")
    page = reviewer_client.get("/admin/inbox")
    assert page.status_code == 200
    assert event_ids_on(page.text) == [messages[k] for k in ("weather", "pii", "fired", "evict", "ticket")]
    assert "5 messages" in page.text
    assert "/request_lawyer" not in page.text


def test_confidence_colours_follow_the_bot_thresholds(reviewer_client, messages):
    from handoff.admin.confidence import configured_bands

    bands = configured_bands()
    page = reviewer_client.get("/admin/inbox").text
    assert f"{bands.answer * 100:.0f}% or more</span> answered" in page
    # 0.91 is above the answer threshold, 0.44 between the two, 0.12 under the handoff threshold.
    assert '<span class="prediction conf-high">91%</span>' in page
    assert '<span class="prediction conf-mid">44%</span>' in page
    assert '<span class="prediction conf-low">12%</span>' in page


def test_message_text_is_shown_redacted(reviewer_client, messages):
    page = reviewer_client.get("/admin/inbox").text
    for secret in ("Maria Lopez", "4417 Elm", "555-0148", "maria.lopez@gmail.com"):
        assert secret not in page
    assert "my name is &lt;NAME&gt;" in page
    assert "Call me at &lt;PHONE&gt; or &lt;EMAIL&gt;" in page


def test_shortcut_predictions_and_keyboard_script(reviewer_client, messages):
    page = reviewer_client.get("/admin/inbox").text
    row = re.search(rf'data-event-id="{messages["fired"]}" data-shortcuts="([^"]*)"', page)
    assert row.group(1) == "employment,consumer"
    # The predicted intent of a conversational message is what "confirm" would store.
    row = re.search(rf'data-event-id="{messages["weather"]}" data-shortcuts="([^"]*)"', page)
    assert row.group(1).split(",")[0] == "out_of_scope"
    assert '<script src="/admin/inbox/static/inbox.js" defer></script>' in page
    assert "<script>" not in page  # the admin's CSP forbids inline scripts
    script = reviewer_client.get("/admin/inbox/static/inbox.js")
    assert script.status_code == 200 and "keydown" in script.text
    assert reviewer_client.get("/admin/inbox/static/..%2Fservice.py").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("min_conf=0.4&max_conf=0.7", ["fired", "evict"]),
        ("min_conf=40&max_conf=70", ["fired", "evict"]),  # percentages work too
        ("max_conf=0.3", ["weather"]),
        ("topic=housing", ["pii", "evict"]),
        ("topic=out_of_scope", ["weather"]),
        ("topic=not-a-topic", ["weather", "pii", "fired", "evict", "ticket"]),  # ignored
    ],
)
def test_filters(reviewer_client, messages, query, expected):
    page = reviewer_client.get(f"/admin/inbox?{query}")
    assert event_ids_on(page.text) == [messages[k] for k in expected]


def test_date_filter(reviewer_client, messages, now):
    today = datetime.fromtimestamp(now, UTC).date()
    yesterday = today - timedelta(days=1)
    page = reviewer_client.get(f"/admin/inbox?from={yesterday}&to={yesterday}")
    expected = {k for k in messages
                if datetime.fromtimestamp(now - {"evict": 172800, "pii": 172740, "fired": 86400, "ticket": 3600,
                                                 "weather": 60}[k], UTC).date() == yesterday}
    assert set(event_ids_on(page.text)) == {messages[k] for k in expected}
    page = reviewer_client.get(f"/admin/inbox?from={today + timedelta(days=1)}")
    assert event_ids_on(page.text) == []


def test_pagination(reviewer_client, tracker, now):
    ids = [log_message(tracker, f"question number {i} about my lease", confidence=i / 100, at=now - i) for i in range(60)]
    first = reviewer_client.get("/admin/inbox?per_page=25")
    assert event_ids_on(first.text) == ids[:25]
    assert "page 1 of 3" in first.text
    third = reviewer_client.get("/admin/inbox?per_page=25&page=3")
    assert event_ids_on(third.text) == ids[50:]
    beyond = reviewer_client.get("/admin/inbox?per_page=25&page=99")
    assert event_ids_on(beyond.text) == ids[50:]


def test_index_sync_is_incremental(session, tracker, messages, now):
    assert service.sync_index(session, tracker) == 5
    assert service.sync_index(session, tracker) == 0
    log_message(tracker, "one more about my deposit", at=now)
    assert service.sync_index(session, tracker) == 1
    assert session.scalar(select(InboxMessage).where(InboxMessage.event_id == messages["pii"])).confidence == 0.31


# --- labelling -----------------------------------------------------------------------------------

def post_label(client, event_id, csrf, **data):
    return client.post(f"/admin/inbox/{event_id}/label", data={"csrf_token": csrf, **data})


def stored(session, event_id) -> NluLabel:
    return session.scalar(select(NluLabel).where(NluLabel.event_id == event_id))


def test_confirm_stores_the_redacted_text_and_the_prediction(reviewer_client, session, messages, reviewer_user):
    response = post_label(reviewer_client, messages["pii"], token(reviewer_client), action="confirm",
                          return_query="min_conf=0.2")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/inbox?min_conf=0.2"
    row = stored(session, messages["pii"])
    assert (row.status, row.label, row.predicted_topic, row.confidence) == ("confirmed", "housing", "housing", 0.31)
    assert row.reviewer == reviewer_user.email and row.reviewer_id == reviewer_user.id
    assert row.sender_id and row.labelled_at is not None
    assert "Maria" not in row.text and "555-0148" not in row.text and "gmail" not in row.text
    assert row.text.startswith("Hi, my name is <NAME>, my landlord at <ADDRESS>")
    assert row.redactions == {"NAME": 1, "ADDRESS": 1, "PHONE": 1, "EMAIL": 1}
    # Reviewed messages leave the default (unreviewed) list and show under their status.
    page = reviewer_client.get("/admin/inbox").text
    assert f"Confirmed message {messages['pii']} as housing." in page  # flash
    assert messages["pii"] not in event_ids_on(page)
    assert event_ids_on(reviewer_client.get("/admin/inbox?status=confirmed").text) == [messages["pii"]]


def test_relabel_out_of_scope_and_skip(reviewer_client, session, messages):
    csrf = token(reviewer_client)
    post_label(reviewer_client, messages["fired"], csrf, action="relabel", label="courts")
    post_label(reviewer_client, messages["evict"], csrf, action="relabel", label="housing")  # = prediction
    post_label(reviewer_client, messages["weather"], csrf, action="out_of_scope")
    post_label(reviewer_client, messages["ticket"], csrf, action="skip")
    assert (stored(session, messages["fired"]).status, stored(session, messages["fired"]).label) == ("relabelled", "courts")
    assert (stored(session, messages["evict"]).status, stored(session, messages["evict"]).label) == ("confirmed", "housing")
    assert (stored(session, messages["weather"]).status, stored(session, messages["weather"]).label) == (
        "out_of_scope", "out_of_scope")
    assert (stored(session, messages["ticket"]).status, stored(session, messages["ticket"]).label) == ("skipped", None)
    assert service.status_counts(session) == {"confirmed": 1, "relabelled": 1, "out_of_scope": 1, "skipped": 1,
                                              "unreviewed": 1}
    # Skipped messages are not training data; everything else is.
    assert {r.event_id for r in service.reviewed_labels(session)} == {messages[k] for k in ("fired", "evict", "weather")}


def test_conversational_intents_and_emergency_are_labels_too(reviewer_client, session, messages):
    csrf = token(reviewer_client)
    response = post_label(reviewer_client, messages["weather"], csrf, action="relabel", label="greet")
    assert response.status_code == 303
    assert stored(session, messages["weather"]).label == "greet"
    post_label(reviewer_client, messages["fired"], csrf, action="relabel", label="emergency")
    assert (stored(session, messages["fired"]).status, stored(session, messages["fired"]).label) == (
        "relabelled", "emergency")
    assert '<optgroup label="Safety">' in reviewer_client.get("/admin/inbox").text


def test_changing_a_label_updates_the_one_row(reviewer_client, session, messages):
    csrf = token(reviewer_client)
    post_label(reviewer_client, messages["fired"], csrf, action="confirm")
    post_label(reviewer_client, messages["fired"], csrf, action="relabel", label="family")
    rows = session.scalars(select(NluLabel).where(NluLabel.event_id == messages["fired"])).all()
    assert [(r.status, r.label) for r in rows] == [("relabelled", "family")]


def test_fetch_labelling_answers_json(reviewer_client, session, messages):
    csrf = token(reviewer_client)
    response = reviewer_client.post(f"/admin/inbox/{messages['fired']}/label", data={"action": "confirm"},
                                    headers={"Accept": "application/json", "X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert response.json() == {"event_id": messages["fired"], "status": "confirmed", "label": "employment",
                               "text": "got fired for asking about overtime", "reviewer": "reviewer@staff.example.org"}
    bad = reviewer_client.post(f"/admin/inbox/{messages['fired']}/label", data={"action": "relabel", "label": "pizza"},
                               headers={"Accept": "application/json", "X-CSRF-Token": csrf})
    assert bad.status_code == 422 and "Choose one of the 16 topics" in bad.json()["error"]
    missing = reviewer_client.post("/admin/inbox/999999/label", data={"action": "confirm"},
                                   headers={"Accept": "application/json", "X-CSRF-Token": csrf})
    assert missing.status_code == 404


def test_invalid_label_in_a_form_shows_an_error(reviewer_client, session, messages):
    response = post_label(reviewer_client, messages["fired"], token(reviewer_client), action="relabel", label="nope")
    assert response.status_code == 303
    assert stored(session, messages["fired"]) is None
    assert "Choose one of the 16 topics" in reviewer_client.get("/admin/inbox").text


def test_a_deleted_conversation_cannot_be_labelled_and_leaves_the_list(reviewer_client, session, tracker, messages):
    from handoff.conversations.repository import delete_conversation, get_user_message

    reviewer_client.get("/admin/inbox")  # indexed
    delete_conversation(tracker, get_user_message(tracker, messages["fired"]).sender_id)
    assert messages["fired"] not in event_ids_on(reviewer_client.get("/admin/inbox").text)
    response = post_label(reviewer_client, messages["fired"], token(reviewer_client), action="confirm")
    assert response.status_code == 303
    assert stored(session, messages["fired"]) is None


def test_forget_conversation_removes_its_labels(reviewer_client, session, tracker, messages):
    from handoff.conversations.repository import get_user_message

    post_label(reviewer_client, messages["pii"], token(reviewer_client), action="confirm")
    sender = get_user_message(tracker, messages["pii"]).sender_id
    assert service.forget_conversation(session, sender, keep_labels=True) == 0  # retention: labels stay
    assert stored(session, messages["pii"]) is not None
    assert session.scalar(select(InboxMessage).where(InboxMessage.sender_id == sender)) is None
    assert service.forget_conversation(session, sender) == 1  # a person's deletion request
    assert stored(session, messages["pii"]) is None


# --- bulk ----------------------------------------------------------------------------------------

def test_bulk_apply_a_label(reviewer_client, session, messages):
    ids = [messages["evict"], messages["fired"], messages["ticket"]]
    response = reviewer_client.post("/admin/inbox/bulk", data={
        "csrf_token": token(reviewer_client), "event_id": [str(i) for i in ids], "action": "relabel", "label": "courts",
        "return_query": "status=unreviewed"})
    assert response.status_code == 303
    assert [(stored(session, i).status, stored(session, i).label) for i in ids] == [("relabelled", "courts")] * 3
    assert "Labelled 3 messages as courts." in reviewer_client.get("/admin/inbox").text
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "nlu.bulk_label")).all()
    assert [a.detail["count"] for a in audit] == [3]


@pytest.mark.parametrize(("action", "status", "label"), [("out_of_scope", "out_of_scope", "out_of_scope"),
                                                         ("skip", "skipped", None)])
def test_bulk_out_of_scope_and_skip(reviewer_client, session, messages, action, status, label):
    ids = [messages["weather"], messages["pii"]]
    reviewer_client.post("/admin/inbox/bulk", data={"csrf_token": token(reviewer_client),
                                                     "event_id": [str(i) for i in ids], "action": action})
    assert [(stored(session, i).status, stored(session, i).label) for i in ids] == [(status, label)] * 2


def test_bulk_keeps_the_good_ones_and_reports_the_rest(reviewer_client, session, messages):
    response = reviewer_client.post("/admin/inbox/bulk", data={
        "csrf_token": token(reviewer_client), "event_id": [str(messages["fired"]), "987654"], "action": "relabel",
        "label": "employment"}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.json()
    assert [d["event_id"] for d in body["done"]] == [messages["fired"]]
    assert list(body["failed"]) == ["987654"]
    assert stored(session, messages["fired"]).label == "employment"


def test_bulk_needs_a_selection_and_a_valid_label(reviewer_client, session, messages):
    csrf = token(reviewer_client)
    reviewer_client.post("/admin/inbox/bulk", data={"csrf_token": csrf, "action": "skip"})
    assert "Select at least one message." in reviewer_client.get("/admin/inbox").text
    reviewer_client.post("/admin/inbox/bulk", data={"csrf_token": csrf, "event_id": [str(messages["fired"])],
                                                    "action": "relabel", "label": ""})
    assert stored(session, messages["fired"]) is None


# --- CSRF and roles ------------------------------------------------------------------------------

@pytest.mark.parametrize("path_key", ["label", "bulk"])
def test_posts_without_or_with_a_wrong_csrf_token_are_refused(reviewer_client, session, messages, path_key):
    path = f"/admin/inbox/{messages['fired']}/label" if path_key == "label" else "/admin/inbox/bulk"
    data = {"action": "confirm", "event_id": str(messages["fired"])}
    assert reviewer_client.post(path, data=data).status_code == 403
    assert reviewer_client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403
    assert reviewer_client.post(path, data=data, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert stored(session, messages["fired"]) is None


def test_every_form_on_the_page_carries_the_csrf_token(reviewer_client, messages):
    page = reviewer_client.get("/admin/inbox").text
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", page, flags=re.S)
    assert len(forms) >= 6  # sign-out, bulk, one per message
    assert all('name="csrf_token"' in form for form in forms)


def test_signed_out_posts_are_refused(anon, session, messages):
    assert anon.post(f"/admin/inbox/{messages['fired']}/label", data={"action": "confirm"}).status_code == 401
    assert anon.post("/admin/inbox/bulk", data={"action": "skip", "event_id": "1"}).status_code == 401
    assert stored(session, messages["fired"]) is None


def test_admins_can_label_too(admin_client, session, messages, admin_user):
    post_label(admin_client, messages["fired"], token(admin_client), action="confirm")
    assert stored(session, messages["fired"]).reviewer == admin_user.email


def test_inactive_users_cannot_label(app, session, messages):
    from admin_helpers import PASSWORD, add_user, login
    from fastapi.testclient import TestClient

    user = add_user(session, role="reviewer", email="gone@staff.example.org")
    with TestClient(app, follow_redirects=False) as client:
        login(client, user.email, PASSWORD)
        csrf = token(client)
        user.active = False
        session.commit()
        assert post_label(client, messages["fired"], csrf, action="confirm").status_code in (401, 403)
    assert stored(session, messages["fired"]) is None
