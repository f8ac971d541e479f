"""Contract tests of the SafetyGuardrail Rasa component (bot/components/safety_guardrail.py).

Bot environment only (Rasa 3.6): `.venv-bot/bin/pytest tests/bot/test_safety_guardrail_component.py`.
Messages are built as the classifiers leave them (intent + intent_ranking), then the guardrail runs.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

pytest.importorskip("rasa")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.components.safety_guardrail import SafetyGuardrail  # noqa: E402
from bot.policy.decision import DecisionConfig, decide  # noqa: E402

RANKING = [
    {"name": "housing", "confidence": 0.62},
    {"name": "domestic_violence", "confidence": 0.21},
    {"name": "greet", "confidence": 0.05},
]


def guardrail(config=None) -> SafetyGuardrail:
    context = ExecutionContext(GraphSchema({}), node_name="safety_guardrail")
    return SafetyGuardrail.create({**SafetyGuardrail.get_default_config(), **(config or {})}, None, None, context)


def classified(text: str, intent: str = "housing", confidence: float = 0.62) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(r) for r in RANKING], add_to_output=True)
    return message


def test_emergency_overrides_the_intent_and_keeps_the_ranking():
    message = classified("hes hitting me right now")
    guardrail().process([message])
    assert message.get(INTENT) == {"name": "emergency", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY) == RANKING  # kept for analytics and the triage decision
    assert message.get("safety") == {"level": "emergency", "categories": ["violence_now"], "high_stakes": []}
    output = message.as_dict(only_output_properties=True)
    assert output["safety"]["level"] == "emergency" and output[INTENT]["name"] == "emergency"


@pytest.mark.parametrize("text,category", [
    ("im scared hes going to kill me", "threat_now"),
    ("he has a gun and says hell shoot", "weapon"),
    ("i want to end it all", "self_harm"),
    ("my kid is locked in the car", "child_danger"),
    ("somebody is trying to get in my back door right now", "intruder"),
    ("he locked me in the bedroom and wont let me out", "trapped"),
])
def test_every_kind_of_danger_becomes_the_emergency_intent(text, category):
    message = classified(text, intent="nlu_fallback", confidence=0.2)
    guardrail().process([message])
    assert message.get(INTENT)["name"] == "emergency"
    assert category in message.get("safety")["categories"]


def test_abuse_is_reported_but_does_not_override_the_intent():
    message = classified("my husband hit me last year and i want a divorce", intent="divorce", confidence=0.7)
    guardrail().process([message])
    assert message.get(INTENT) == {"name": "divorce", "confidence": 0.7}
    assert message.get("safety") == {"level": "abuse", "categories": ["past_violence"], "high_stakes": []}


def test_high_stakes_are_listed_without_an_override():
    message = classified("my landlord filed an eviction case against me and the hearing is tomorrow")
    guardrail().process([message])
    safety = message.get("safety")
    assert message.get(INTENT)["name"] == "housing"
    assert safety["level"] == "none"
    assert safety["high_stakes"] == ["court_deadline", "eviction_hearing"]


@pytest.mark.parametrize("text", [
    "this late fee is killing me", "my boss is going to kill me if I'm late", "shoot me an email",
    "my ex threatened to sue me", "I was charged a late fee",
])
def test_figurative_speech_passes_through_untouched(text):
    message = classified(text)
    guardrail().process([message])
    assert message.get(INTENT) == {"name": "housing", "confidence": 0.62}
    assert message.get("safety") == {"level": "none", "categories": [], "high_stakes": []}


def test_safety_output_always_has_the_three_keys():
    message = classified("hello there")
    guardrail().process([message])
    assert set(message.get("safety")) == {"level", "categories", "high_stakes"}
    assert "safety" in message.output_properties


@pytest.mark.parametrize("text", ["/affirm", '/choose_topic{"topic":"housing"}', "", None])
def test_button_payloads_and_empty_text_are_skipped(text):
    message = Message(data={TEXT: text} if text is not None else {})
    message.set(INTENT, {"name": "affirm", "confidence": 1.0}, add_to_output=True)
    guardrail().process([message])
    assert message.get(INTENT) == {"name": "affirm", "confidence": 1.0}
    assert message.get("safety") is None


def test_each_message_of_a_batch_is_assessed_on_its_own():
    messages = [classified("hes choking me"), classified("my landlord kept my deposit"), classified("i want to kill myself")]
    guardrail().process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["emergency", "housing", "emergency"]
    assert [m.get("safety")["level"] for m in messages] == ["emergency", "none", "emergency"]


def test_the_emergency_intent_name_is_configurable():
    message = classified("he is beating me")
    guardrail({"emergency_intent": "danger"}).process([message])
    assert message.get(INTENT)["name"] == "danger"


def test_long_message_with_danger_at_the_end():
    story = "He was abusive for years and I left him last spring. We share custody and it has been hard. " * 50
    message = classified(story[:4900] + " he's outside my door right now threatening me")
    guardrail().process([message])
    assert message.get(INTENT)["name"] == "emergency"
    assert "threat_now" in message.get("safety")["categories"]


def test_training_data_passes_through():
    data = TrainingData([Message(data={TEXT: "he is hitting me", INTENT: "domestic_violence"})])
    assert guardrail().process_training_data(data) is data


# ----------------------------------------------- the guardrail's output drives the triage decision

def decision_for(text: str) -> dict:
    message = classified(text)
    guardrail().process([message])
    return decide(
        text=text, intent=message.get(INTENT)["name"], ranking=message.get(INTENT_RANKING_KEY),
        safety=message.get("safety"), kb={"by_topic": {"housing": [{"id": "housing-1", "score": 0.9}]}},
        config=DecisionConfig(),
    )


def test_decision_emergency_abuse_high_stakes_and_answer():
    assert decision_for("hes hitting me")["decision"] == "emergency"
    abuse = decision_for("he used to beat me when he drank")
    assert (abuse["decision"], abuse["reason"]) == ("handoff", "guardrail")
    high = decision_for("I have an eviction hearing on monday")
    assert (high["decision"], high["reason"]) == ("handoff", "high_stakes")
    assert set(high["high_stakes"]) == {"eviction_hearing", "court_deadline"}
    assert decision_for("my landlord is killing me with these fees")["decision"] == "answer"
