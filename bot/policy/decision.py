"""The triage decision: answer, clarify, hand off, emergency or out of scope.

Thresholds are chosen from data (bench/results/nlu_thresholds.md); the FallbackClassifier in
config.yml marks low-confidence or ambiguous messages as `nlu_fallback` and this module splits
those into one clarifying question (the top topic is still plausible) or a lawyer offer.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Dict, List, Optional

from bot.policy.language import understandable

TOPICS = (
    "benefits", "business", "consumer", "courts", "crime", "divorce", "domestic_violence", "education",
    "employment", "estates", "family", "health", "housing", "immigration", "torts", "traffic",
)
# Intents that are plainly not a legal problem.
NON_LEGAL_INTENTS = {"greet", "goodbye", "thanks", "affirm", "deny", "out_of_scope", "bot_challenge", "help", "something_else"}
FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class DecisionConfig:
    # Below this top-topic confidence a fallback message goes straight to the lawyer offer.
    handoff_threshold: float = 0.25
    # A retrieved article must be at least this similar (cosine) to be offered as an answer.
    answer_threshold: float = 0.45
    # Several topics at once: the runner-up topic at least this confident...
    complex_second_topic: float = 0.25
    # ...in a message of at least this many words; or any message this long is a complex story.
    complex_min_words: int = 40
    complex_max_words: int = 250
    # The classifier's learned `emergency` intent (a second line behind the safety rules) at or
    # above this confidence also gets emergency resources; a false alarm costs little.
    emergency_threshold: float = 0.7
    # A non-legal intent needs this confidence to call the message out of scope.
    out_of_scope_threshold: float = 0.5

    @classmethod
    def from_dict(cls, raw: Dict) -> "DecisionConfig":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        config = cls(**values)
        for name in ("handoff_threshold", "answer_threshold", "complex_second_topic", "out_of_scope_threshold", "emergency_threshold"):
            value = getattr(config, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(f"TriageDecision: {name} must be a number between 0 and 1, got {value!r}")
        return config

    def as_dict(self) -> Dict:
        return asdict(self)


def topic_ranking(ranking: List[Dict]) -> List[Dict]:
    return [r for r in ranking if r.get("name") in TOPICS]


def answer_candidates(kb: Dict, config: DecisionConfig) -> Dict[str, Optional[Dict]]:
    """Best article per searched topic, or None where nothing clears the answer threshold."""
    candidates: Dict[str, Optional[Dict]] = {}
    for topic, hits in (kb.get("by_topic") or {}).items():
        best = hits[0] if hits else None
        ok = best is not None and float(best["score"]) >= config.answer_threshold
        candidates[topic] = {"article_id": best["id"], "score": float(best["score"])} if ok else None
    return candidates


def decide(
    *, text: str, intent: Optional[str], ranking: List[Dict], safety: Dict, kb: Dict, config: DecisionConfig
) -> Dict:
    topics = topic_ranking(ranking)
    top = topics[0] if topics else None
    runner_up = topics[1] if len(topics) > 1 else None
    result = {
        "decision": "handoff",
        "topic": top["name"] if top else None,
        "confidence": round(float(top["confidence"]), 4) if top else 0.0,
        "reason": None,
        "runner_up": runner_up["name"] if runner_up else None,
        "runner_up_confidence": round(float(runner_up["confidence"]), 4) if runner_up else 0.0,
        "article_id": None,
        "article_score": None,
        "high_stakes": list(safety.get("high_stakes") or []),
    }
    learned = next((r for r in ranking if r.get("name") == "emergency"), None)
    learned_emergency = learned is not None and float(learned["confidence"]) >= config.emergency_threshold
    # The guardrail's own override shows up as safety level "emergency"; a classifier-predicted
    # `emergency` counts only at its own (higher) threshold, to keep false alarms rare.
    if safety.get("level") == "emergency" or learned_emergency:
        result.update(decision="emergency", reason="guardrail")
        return result

    if not text.startswith("/") and not understandable(text):
        # Another language or gibberish: say so honestly instead of guessing a topic.
        result.update(decision="out_of_scope", topic=None, reason="not_understood")
        return result

    non_legal = [r for r in ranking if r.get("name") in NON_LEGAL_INTENTS]
    best_non_legal = non_legal[0] if non_legal else None
    top_conf = float(top["confidence"]) if top else 0.0
    if best_non_legal and float(best_non_legal["confidence"]) >= config.out_of_scope_threshold and float(best_non_legal["confidence"]) > top_conf:
        result.update(decision="out_of_scope", topic=None, reason=None)
        return result
    if intent == "request_lawyer":
        result.update(decision="handoff", reason="user_request")
        return result
    if top is None:
        result.update(decision="out_of_scope", reason=None)
        return result
    if result["high_stakes"] or safety.get("level") == "abuse":
        result.update(decision="handoff", reason="high_stakes" if result["high_stakes"] else "guardrail")
        return result

    words = len(text.split())
    several_topics = runner_up is not None and float(runner_up["confidence"]) >= config.complex_second_topic
    if words >= config.complex_max_words or (several_topics and words >= config.complex_min_words):
        result.update(decision="handoff", reason="complex")
        return result

    if intent == FALLBACK_INTENT:
        # Kept so that the answer to the clarifying question can be served without a second search.
        result["candidates"] = answer_candidates(kb, config)
        if top_conf < config.handoff_threshold:
            result.update(decision="handoff", reason="low_confidence")
        else:
            result.update(decision="clarify", reason="ambiguous")
        return result

    result["candidates"] = answer_candidates(kb, config)
    best = ((kb.get("by_topic") or {}).get(top["name"]) or [None])[0]
    if best and float(best["score"]) >= config.answer_threshold:
        result.update(decision="answer", article_id=best["id"], article_score=float(best["score"]))
    else:
        # The topic is clear but the knowledge base has nothing close: don't pretend to know.
        result.update(decision="handoff", reason="low_confidence", article_score=float(best["score"]) if best else None)
    return result
