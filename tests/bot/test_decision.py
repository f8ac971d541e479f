"""The triage decision as a pure function (stdlib only; runs in both environments)."""
from __future__ import annotations

import pytest

from bot.policy.decision import DecisionConfig, decide
from bot.policy.language import understandable

CONFIG = DecisionConfig()


def ranking(*pairs):
    return [{"name": n, "confidence": c} for n, c in pairs]


def kb(topic, score, article="x-1"):
    return {"by_topic": {topic: [{"id": article, "topic": topic, "score": score}]}}


def run(text="my landlord kept my deposit", intent="housing", rank=None, safety=None, kb_hits=None):
    return decide(text=text, intent=intent, ranking=rank or ranking(("housing", 0.9), ("consumer", 0.05)),
                  safety=safety or {}, kb=kb_hits or kb("housing", 0.7), config=CONFIG)


def test_confident_with_a_close_article_answers():
    result = run()
    assert result["decision"] == "answer" and result["article_id"] == "x-1" and result["topic"] == "housing"


def test_confident_without_a_close_article_does_not_pretend():
    result = run(kb_hits=kb("housing", 0.2))
    assert result["decision"] == "handoff" and result["reason"] == "low_confidence"


def test_fallback_in_the_middle_band_clarifies_and_keeps_candidates():
    result = run(intent="nlu_fallback", rank=ranking(("nlu_fallback", 0.45), ("housing", 0.4), ("consumer", 0.35)))
    assert result["decision"] == "clarify" and result["runner_up"] == "consumer"
    assert result["candidates"]["housing"]["article_id"] == "x-1"


def test_fallback_with_very_low_confidence_hands_off():
    result = run(intent="nlu_fallback", rank=ranking(("nlu_fallback", 0.45), ("housing", 0.12), ("consumer", 0.1)))
    assert result["decision"] == "handoff" and result["reason"] == "low_confidence" and result["topic"] == "housing"


def test_two_strong_topics_in_a_long_story_is_complex():
    text = ("my landlord is trying to evict me because i fell behind on rent after my boss cut my hours and "
            "then fired me when i complained about not getting paid for overtime, and now i have no money for "
            "the rent or the deposit on a new place and i do not know what to do first")
    result = run(text=text, rank=ranking(("housing", 0.5), ("employment", 0.4)))
    assert result["decision"] == "handoff" and result["reason"] == "complex"


def test_emergency_wins_over_everything():
    result = run(intent="emergency", safety={"level": "emergency", "high_stakes": []})
    assert result["decision"] == "emergency"


def test_a_weak_learned_emergency_is_not_an_alarm():
    result = run(text="this late fee is killing me", intent="emergency", rank=ranking(("emergency", 0.5), ("consumer", 0.3)))
    assert result["decision"] != "emergency"


def test_high_stakes_hands_off_even_when_confident():
    result = run(safety={"level": "none", "high_stakes": ["criminal_charges"]})
    assert result["decision"] == "handoff" and result["reason"] == "high_stakes"


def test_greeting_is_out_of_scope_with_no_topic():
    result = run(text="hello there", intent="greet", rank=ranking(("greet", 0.95), ("housing", 0.01)))
    assert result["decision"] == "out_of_scope" and result["topic"] is None


def test_request_for_a_lawyer_is_a_user_request_handoff():
    result = run(text="i want a lawyer for my eviction", intent="request_lawyer",
                 rank=ranking(("request_lawyer", 0.6), ("housing", 0.3)))
    assert result["decision"] == "handoff" and result["reason"] == "user_request" and result["topic"] == "housing"


@pytest.mark.parametrize("text", ["asdkjh qwezxc", "lkjhgfdsa", "mi casero no me devuelve el depósito de garantía", "???", "😀😀"])
def test_gibberish_and_other_languages_are_not_understood(text):
    assert not understandable(text)
    result = run(text=text)
    assert result["decision"] == "out_of_scope" and result["reason"] == "not_understood" and result["topic"] is None


@pytest.mark.parametrize("text", ["eviction", "custody", "I was fired", "can i get a lawyer", "is it legal",
                                  "so my ex took the kids and wont let me see them"])
def test_short_english_is_understood(text):
    assert understandable(text)


def test_config_rejects_out_of_range_thresholds():
    with pytest.raises(ValueError, match="handoff_threshold"):
        DecisionConfig.from_dict({"handoff_threshold": -0.1})


def test_the_learned_emergency_intent_is_a_second_line_of_defence():
    rank = ranking(("emergency", 0.75), ("domestic_violence", 0.2))
    result = run(text="he just kicked the door in and says hes going to finish it", intent="emergency", rank=rank)
    assert result["decision"] == "emergency" and result["topic"] == "domestic_violence"
    low = run(text="my ex keeps texting me", intent="nlu_fallback",
              rank=ranking(("nlu_fallback", 0.45), ("domestic_violence", 0.4), ("emergency", 0.2)))
    assert low["decision"] != "emergency"
