"""The explicit-lawyer-request rule: requests (with or without a topic) are caught, questions about lawyers are not."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.policy.lawyer_request import asks_for_lawyer  # noqa: E402

REQUESTS = [
    "I want to talk to a lawyer about my eviction",
    "can i speak to an attorney about my divorce",
    "i need a lawyer for my custody case",
    "talk to a lawyer",
    "connect me with an immigration lawyer",
    "I'd like to speak with someone from legal aid",
    "we need to hire a lawyer, our landlord is suing us",
    "please find me a good employment attorney",
    "how do I get a free lawyer for my eviction hearing",
    "Can I chat with a real lawyer?",
    "im looking for a lawyer who does wills",
    "i just want a lawyer at this point",
    "put me in touch with a lawyer please",
]
NOT_REQUESTS = [
    "do i need a lawyer for small claims court",
    "should I get a lawyer or handle this myself",
    "I can't afford a lawyer for my divorce",
    "my lawyer isn't returning my calls",
    "I don't want a lawyer, I just want to know my rights",
    "how do I file a complaint against my attorney",
    "my ex's attorney sent me a letter",
    "my landlord kept my deposit",
    "would I need an attorney to write a will",
    "the other side has a lawyer and I don't",
]


@pytest.mark.parametrize("text", REQUESTS)
def test_explicit_requests_are_caught(text):
    assert asks_for_lawyer(text)


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_questions_about_lawyers_are_not_requests(text):
    assert not asks_for_lawyer(text)


def test_triage_component_turns_an_explicit_request_into_the_lawyer_intent_and_keeps_the_topic():
    pytest.importorskip("rasa")
    from rasa.shared.nlu.training_data.message import Message

    from bot.components.triage_decision import TriageDecision
    from smoke_helpers import execution_context

    component = TriageDecision.create(TriageDecision.get_default_config(), None, None, execution_context("t"))
    ranking = [{"name": "housing", "confidence": 0.67}, {"name": "request_lawyer", "confidence": 0.08}]
    asked = Message(data={"text": "I want to talk to a lawyer about my eviction", "intent": ranking[0], "intent_ranking": ranking})
    question = Message(data={"text": "do I need a lawyer for my eviction", "intent": ranking[0], "intent_ranking": ranking})
    danger = Message(data={"text": "he is hitting me right now, I need a lawyer", "intent": {"name": "emergency", "confidence": 1.0},
                           "intent_ranking": ranking, "safety": {"level": "emergency"}})
    component.process([asked, question, danger])
    assert asked.get("intent") == {"name": "request_lawyer", "confidence": 1.0}
    assert asked.get("triage")["decision"] == "handoff" and asked.get("triage")["reason"] == "user_request"
    assert asked.get("triage")["topic"] == "housing"
    assert question.get("intent")["name"] == "housing"
    assert danger.get("intent")["name"] == "emergency" and danger.get("triage")["decision"] == "emergency"
