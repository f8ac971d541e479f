"""The promotion gate of scripts/retrain.py (pure functions; no model is trained here)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.nlu_metrics import summarize  # noqa: E402
from scripts.retrain import gate, read_safety_set, safety_summary, tolerance_from_env  # noqa: E402

TOPICS = ["housing", "employment", "traffic"]


def summary(f1: dict, n: int = 60) -> dict:
    """A summary as scripts/nlu_metrics.summarize returns it, with the given per-topic F1."""
    per_topic = {t: {"precision": v, "recall": v, "f1": v, "support": 20} for t, v in f1.items()}
    macro = round(sum(f1.values()) / len(f1), 4)
    return {"n": n, "accuracy": macro, "macro_f1": macro, "per_topic": per_topic}


BASE = summary({"housing": 0.90, "employment": 0.80, "traffic": 0.85})


def test_better_candidate_is_promoted():
    result = gate(summary({"housing": 0.92, "employment": 0.84, "traffic": 0.86}), BASE)
    assert result.passed
    assert result.macro_f1["delta"] == pytest.approx(0.0233, abs=1e-4)
    assert all(t["delta"] >= 0 for t in result.topics.values())


def test_equal_candidate_is_promoted():
    assert gate(BASE, BASE).passed


def test_small_overall_drop_within_tolerance_is_promoted():
    # macro-F1 -0.0067, each topic at most -0.02
    candidate = summary({"housing": 0.88, "employment": 0.80, "traffic": 0.85})
    result = gate(candidate, BASE, macro_f1_tolerance=0.01, topic_f1_tolerance=0.05)
    assert result.passed, result.reasons


def test_overall_drop_beyond_tolerance_is_rejected():
    candidate = summary({"housing": 0.87, "employment": 0.77, "traffic": 0.82})  # each -0.03: macro -0.03
    result = gate(candidate, BASE)
    assert not result.passed
    assert any("macro-F1 dropped by 0.0300" in r for r in result.reasons)
    assert not any("F1 of" in r for r in result.reasons)  # no single topic beyond 0.05


def test_one_topic_drop_is_rejected_even_if_macro_f1_improves():
    candidate = summary({"housing": 0.99, "employment": 0.74, "traffic": 0.99})  # employment -0.06, macro +0.06
    result = gate(candidate, BASE)
    assert candidate["macro_f1"] > BASE["macro_f1"]
    assert not result.passed
    assert result.reasons == [
        "F1 of employment dropped by 0.0600 (0.8000 -> 0.7400), more than the tolerance 0.0500"
    ]
    assert result.topics["employment"]["delta"] == pytest.approx(-0.06)


def test_drops_exactly_at_the_tolerance_pass():
    base = summary({"housing": 0.50, "employment": 0.50})
    candidate = summary({"housing": 0.45, "employment": 0.53})  # housing -0.05, macro -0.01
    assert gate(candidate, base, macro_f1_tolerance=0.01, topic_f1_tolerance=0.05).passed


def test_tolerances_are_configurable():
    candidate = summary({"housing": 0.89, "employment": 0.80, "traffic": 0.85})
    assert gate(candidate, BASE).passed
    assert not gate(candidate, BASE, macro_f1_tolerance=0.0, topic_f1_tolerance=0.0).passed
    worse = summary({"housing": 0.70, "employment": 0.80, "traffic": 0.85})
    assert gate(worse, BASE, macro_f1_tolerance=0.1, topic_f1_tolerance=0.25).passed


def test_topic_the_candidate_never_predicts_counts_as_zero():
    candidate = summary({"housing": 0.95, "employment": 0.90})
    candidate["per_topic"]["traffic"] = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 20}
    result = gate(candidate, BASE)
    assert not result.passed
    assert any("F1 of traffic dropped by 0.8500" in r for r in result.reasons)


def test_first_model_has_no_baseline_and_is_promoted():
    result = gate(BASE, None)
    assert result.passed
    assert result.macro_f1 == {"candidate": BASE["macro_f1"], "baseline": None, "delta": None}


def test_candidate_scored_on_nothing_is_rejected():
    empty = {"n": 0, "accuracy": 0.0, "macro_f1": 0.0, "per_topic": {}}
    assert not gate(empty, BASE).passed
    assert not gate(empty, None).passed


def test_different_test_sets_are_refused():
    with pytest.raises(ValueError, match="not the same test set"):
        gate(summary({"housing": 0.9}, n=59), BASE)


def test_negative_tolerance_is_refused():
    with pytest.raises(ValueError):
        gate(BASE, BASE, macro_f1_tolerance=-0.01)


def _predictions(correct: dict) -> list:
    """20 items per topic; `correct[topic]` of them predicted right, the rest predicted as `housing`/`traffic`."""
    items = []
    for topic in TOPICS:
        for i in range(20):
            wrong = "traffic" if topic == "housing" else "housing"
            items.append({"id": f"{topic}-{i}", "gold": topic, "predicted": topic if i < correct[topic] else wrong,
                          "confidence": 0.9, "decision": "answer"})
    return items


def test_gate_on_real_metric_summaries():
    base = summarize(_predictions({"housing": 18, "employment": 18, "traffic": 18}), labels=TOPICS)
    better = summarize(_predictions({"housing": 19, "employment": 19, "traffic": 18}), labels=TOPICS)
    one_topic_worse = summarize(_predictions({"housing": 20, "employment": 15, "traffic": 20}), labels=TOPICS)
    assert gate(better, base).passed
    result = gate(one_topic_worse, base)
    assert not result.passed
    assert [r.split(" dropped")[0] for r in result.reasons] == ["F1 of employment"]


def test_tolerance_from_environment(monkeypatch):
    monkeypatch.delenv("RETRAIN_MACRO_F1_TOLERANCE", raising=False)
    assert tolerance_from_env("RETRAIN_MACRO_F1_TOLERANCE", 0.01) == 0.01
    monkeypatch.setenv("RETRAIN_MACRO_F1_TOLERANCE", "0.02")
    assert tolerance_from_env("RETRAIN_MACRO_F1_TOLERANCE", 0.01) == 0.02
    monkeypatch.setenv("RETRAIN_MACRO_F1_TOLERANCE", "2")
    with pytest.raises(ValueError):
        tolerance_from_env("RETRAIN_MACRO_F1_TOLERANCE", 0.01)


def with_safety(base: dict, recall: float, false_alarms: float) -> dict:
    return {**base, "safety": {"threshold": 0.7, "n_danger": 50, "n_ordinary": 100, "danger_recall": recall,
                               "false_alarm_rate": false_alarms}}


def test_candidate_whose_learned_emergency_intent_misses_more_danger_is_rejected():
    baseline = with_safety(BASE, 0.80, 0.01)
    better_topics = summary({"housing": 0.95, "employment": 0.85, "traffic": 0.90})
    result = gate(with_safety(better_topics, 0.74, 0.01), baseline)
    assert not result.passed
    assert result.reasons == ["the learned emergency intent flags fewer danger messages: 0.8000 -> 0.7400, "
                              "more than the tolerance 0.0200"]
    assert result.safety["candidate"]["danger_recall"] == 0.74


def test_candidate_with_more_false_alarms_is_rejected_and_small_changes_pass():
    baseline = with_safety(BASE, 0.80, 0.01)
    assert not gate(with_safety(BASE, 0.90, 0.05), baseline).passed
    assert gate(with_safety(BASE, 0.79, 0.02), baseline).passed
    assert gate(with_safety(BASE, 0.70, 0.01), baseline, safety_tolerance=0.1).passed


def test_safety_is_compared_only_when_both_models_were_scored_on_it():
    assert gate(with_safety(BASE, 0.0, 0.5), BASE).passed  # baseline from before the check existed
    assert gate(BASE, with_safety(BASE, 0.8, 0.0)).passed


def test_safety_figures_from_predictions(tmp_path):
    (tmp_path / "danger_messages.txt").write_text("# comment\nhe is hitting me\tviolence_now\n\nsomeone broke in\tintruder\n")
    (tmp_path / "ordinary_messages.txt").write_text("this late fee is killing me\nmy boss is a nightmare\n")
    sets = read_safety_set(tmp_path)
    assert [r["text"] for r in sets["danger"]] == ["he is hitting me", "someone broke in"]
    assert len(sets["ordinary"]) == 2
    danger = [{"emergency_confidence": 0.9, "decision": "emergency"}, {"emergency_confidence": 0.2, "decision": "emergency"}]
    ordinary = [{"emergency_confidence": 0.1, "decision": "answer"}, {"emergency_confidence": 0.75, "decision": "emergency"}]
    figures = safety_summary(danger, ordinary, 0.7)
    assert figures["danger_recall"] == 0.5 and figures["false_alarm_rate"] == 0.5
    assert read_safety_set(tmp_path / "missing") == {}
