"""Action tests driven by tracker fixtures: each triage decision leads to the right reply and slots."""
from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("rasa_sdk")

from rasa_sdk import Tracker  # noqa: E402
from rasa_sdk.events import SlotSet  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from bot.actions import knowledge  # noqa: E402
from bot.actions.feedback import ActionRecordFeedback  # noqa: E402
from bot.actions.lead_form import ValidateLeadForm, build_lead, parse_phone, parse_state_or_zip  # noqa: E402
from bot.actions.triage import ActionChooseTopic, ActionHandleDeny, ActionStartHandoff, ActionTriage  # noqa: E402

DOMAIN = {"slots": {}, "responses": {}}


def a_real_article(topic="housing"):
    return next(a for a in knowledge.articles().values() if a.topic == topic)


def tracker(*, text="my landlord kept my deposit", intent="housing", triage=None, safety=None, slots=None, events=None, entities=None):
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "triage": triage or {},
        "safety": safety or {"level": "none", "categories": [], "high_stakes": []},
    }
    return Tracker("test-sender", slots or {}, latest, events or [], False, None, {}, "action_listen")


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_answer_carries_article_links_disclaimer_and_feedback_buttons():
    article = a_real_article()
    messages, slots = run(ActionTriage(), tracker(triage={"decision": "answer", "topic": "housing", "confidence": 0.91,
                                                          "article_id": article.id, "article_score": 0.7}))
    text = messages[0]["text"]
    assert article.title in text and "This is general information, not legal advice." in text
    assert "lawyer" in text
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/feedback_helpful", "/feedback_not_helpful", "/request_lawyer"]
    assert messages[0]["custom"]["links"][0]["url"].startswith("https://")
    assert slots["pending"] == "feedback" and slots["last_answer"]["article_id"] == article.id
    assert slots["problem_text"] == "my landlord kept my deposit"


def test_clarify_asks_once_with_the_top_two_topics_and_something_else():
    t = tracker(triage={"decision": "clarify", "topic": "housing", "runner_up": "consumer", "confidence": 0.4})
    messages, slots = run(ActionTriage(), t)
    assert "rental housing" in messages[0]["text"]
    assert [b["title"] for b in messages[0]["buttons"]] == ["Housing", "Debt & consumer", "Something else"]
    assert slots["pending"] == "clarify" and slots["clarified"] is True


def test_still_unclear_after_the_question_goes_to_the_lawyer_offer():
    t = tracker(triage={"decision": "clarify", "topic": "housing", "runner_up": "consumer", "confidence": 0.4}, slots={"clarified": True})
    messages, slots = run(ActionTriage(), t)
    assert slots["pending"] == "lawyer_offer" and slots["handoff_reason"] == "low_confidence"
    assert messages[0]["buttons"][0]["payload"] == "/affirm"


def test_complex_situation_is_handed_off_with_its_reason():
    messages, slots = run(ActionTriage(), tracker(triage={"decision": "handoff", "reason": "complex", "topic": "family", "confidence": 0.5}))
    assert "several legal issues" in messages[0]["text"]
    assert slots["handoff_reason"] == "complex"


def test_emergency_resources_come_before_anything_else():
    t = tracker(text="he is hitting me right now", intent="emergency",
                triage={"decision": "emergency", "topic": "domestic_violence"}, safety={"level": "emergency", "categories": ["violence_now"], "high_stakes": []})
    messages, slots = run(ActionTriage(), t)
    assert "911" in messages[0]["text"] and "988" in messages[0]["text"] and "1-800-799-7233" in messages[0]["text"]
    assert messages[0]["custom"]["kind"] == "emergency"
    assert slots["handoff_reason"] == "guardrail"


def test_high_stakes_puts_the_lawyer_offer_first_even_when_confident():
    article = a_real_article("crime")
    t = tracker(triage={"decision": "handoff", "reason": "high_stakes", "topic": "crime", "confidence": 0.95,
                        "high_stakes": ["criminal_charges"], "article_id": article.id})
    messages, slots = run(ActionTriage(), t)
    assert "public defender" in messages[0]["text"] and slots["handoff_reason"] == "high_stakes"
    assert slots["pending"] == "lawyer_offer"


def test_choosing_a_topic_answers_from_the_original_message_candidates():
    article = a_real_article()
    events = [{"event": "user", "parse_data": {"triage": {"decision": "clarify", "topic": "housing", "confidence": 0.4,
                                                          "candidates": {"housing": {"article_id": article.id, "score": 0.6}}}}}]
    t = tracker(text='/choose_topic{"topic":"housing"}', intent="choose_topic", events=events,
                entities=[{"entity": "topic", "value": "housing"}])
    messages, slots = run(ActionChooseTopic(), t)
    assert article.title in messages[0]["text"] and slots["topic"] == "housing"


def test_choosing_a_topic_without_an_article_offers_a_lawyer():
    events = [{"event": "user", "parse_data": {"triage": {"decision": "clarify", "topic": "housing", "candidates": {"housing": None}}}}]
    t = tracker(intent="choose_topic", events=events, entities=[{"entity": "topic", "value": "housing"}])
    _, slots = run(ActionChooseTopic(), t)
    assert slots["pending"] == "lawyer_offer"


def test_declining_the_lawyer_offer_gives_resources():
    messages, slots = run(ActionHandleDeny(), tracker(intent="deny", slots={"pending": "lawyer_offer"}))
    assert messages[0]["response"] == "utter_no_lawyer" and slots["pending"] is None


def test_requesting_a_lawyer_records_the_reason_and_the_problem():
    _, slots = run(ActionStartHandoff(), tracker(text="i need a lawyer for my eviction", intent="request_lawyer"))
    assert slots["handoff_reason"] == "user_request" and "eviction" in slots["problem_text"]


def test_feedback_is_recorded_with_article_and_confidence_then_one_rephrase():
    answer = {"article_id": "housing-x", "topic": "housing", "confidence": 0.8, "score": 0.6}
    t = tracker(intent="feedback_not_helpful", slots={"last_answer": answer, "pending": "feedback"})
    _, slots = run(ActionRecordFeedback(), t)
    assert slots["answer_feedback"] == {**answer, "helpful": False} and slots["pending"] == "rephrase"
    t2 = tracker(intent="feedback_not_helpful", slots={"last_answer": answer, "pending": "rephrase"})
    _, slots2 = run(ActionRecordFeedback(), t2)
    assert slots2["pending"] == "lawyer_offer" and slots2["handoff_reason"] == "feedback"


@pytest.mark.parametrize("value, ok", [("jane@example.com", True), ("(212) 555-0142", True), ("+1 212 555 0142", True),
                                       ("555-01", False), ("jane at example", False), ("123-456-7890", False)])
def test_contact_validation_re_asks_clearly(value, ok):
    dispatcher = CollectingDispatcher()
    result = ValidateLeadForm().validate_contact(value, dispatcher, tracker(text=value), {})
    assert (result["contact"] is not None) == ok
    if not ok:
        assert "doesn't look like" in dispatcher.messages[0]["text"]


def test_state_or_zip_parsing():
    assert parse_state_or_zip("tx") == {"state": "TX"}
    assert parse_state_or_zip("New York") == {"state": "NY"}
    assert parse_state_or_zip("94110") == {"zip": "94110"}
    assert parse_state_or_zip("Texas, USA") is None
    assert parse_phone("212-555-0142") == "(212) 555-0142"


def test_summary_is_prefilled_from_what_the_person_said():
    t = tracker(text="/affirm", intent="affirm", slots={"problem_text": "my landlord is evicting me next week"})
    result = ValidateLeadForm().validate_summary("/affirm", CollectingDispatcher(), t, {})
    assert result == {"summary": "my landlord is evicting me next week"}


def test_cancel_stops_the_form_and_no_lead_is_built():
    result = ValidateLeadForm().validate_full_name("cancel", CollectingDispatcher(), tracker(text="cancel"), {})
    assert result == {"lead_status": "cancelled"}


def test_lead_carries_consent_version_reason_and_contact():
    slots = {"full_name": "Test Person", "contact_email": "t@example.com", "state_or_zip": "TX", "summary": "s" * 20,
             "urgency": "high", "topic": "housing", "confidence": 0.7, "handoff_reason": "complex", "consent": True}
    events = [{"event": "slot", "name": "consent", "value": True, "timestamp": 1_700_000_000}]
    lead = build_lead(tracker(slots=slots, events=events))
    assert lead["consent_version"] and lead["consent_at"].startswith("2023-11-14")
    assert lead["email"] == "t@example.com" and lead["state"] == "TX" and lead["handoff_reason"] == "complex"
    assert lead["conversation_id"] == "test-sender"


def test_talk_to_a_lawyer_after_an_unhelpful_answer_is_a_feedback_handoff():
    _, slots = run(ActionStartHandoff(), tracker(text="/request_lawyer", intent="request_lawyer", slots={"pending": "rephrase"}))
    assert slots["handoff_reason"] == "feedback"


def test_accepting_an_offer_keeps_the_offer_reason():
    t = tracker(text="/affirm", intent="affirm", slots={"pending": "lawyer_offer", "handoff_reason": "complex"})
    _, slots = run(ActionStartHandoff(), t)
    assert "handoff_reason" not in slots


def test_a_second_request_in_the_same_conversation_is_not_collected_again():
    events = [{"event": "slot", "name": "lead_status", "value": "delivered", "timestamp": 1.0}]
    t = tracker(intent="request_lawyer", events=events)
    assert asyncio.run(ValidateLeadForm().required_slots(["consent", "full_name"], CollectingDispatcher(), t, {})) == []
    from bot.actions.lead_form import ActionSubmitLead

    messages, _ = run(ActionSubmitLead(), t)
    assert "already have your request" in messages[0]["text"]
