"""scripts/nlu_metrics.py: the uncertainty and top-2 figures reported next to the accuracy."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.nlu_metrics import bootstrap_interval, summarize, summary_markdown, top_k_accuracy  # noqa: E402

TOPICS = ["housing", "employment", "traffic"]


def _item(gold, predicted, confidence=0.9, runner_up=None):
    top3 = [{"topic": predicted, "confidence": confidence}]
    if runner_up:
        top3.append({"topic": runner_up, "confidence": 1 - confidence})
    return {"id": f"{gold}-{predicted}-{confidence}", "gold": gold, "predicted": predicted, "confidence": confidence,
            "top3": top3, "decision": "answer"}


def _items(correct: int, wrong: int):
    return ([_item("housing", "housing", 0.5 + i / 1000) for i in range(correct)]
            + [_item("housing", "traffic", 0.4 + i / 1000) for i in range(wrong)])


def test_the_interval_holds_the_score_and_narrows_with_more_items():
    def accuracy(items):
        return sum(x["gold"] == x["predicted"] for x in items) / len(items)

    small = bootstrap_interval(_items(36, 14), accuracy)
    large = bootstrap_interval(_items(720, 280), accuracy)
    assert small[0] < 0.72 < small[1] and large[0] < 0.72 < large[1]
    assert (large[1] - large[0]) < (small[1] - small[0]) / 3  # ~sqrt(20) narrower
    # 224 items at 0.72: the interval spans about +-6 points, which is why two-point moves are not read as progress.
    mid = bootstrap_interval(_items(161, 63), accuracy)
    assert 0.09 < mid[1] - mid[0] < 0.14


def test_the_interval_is_reproducible_and_absent_for_a_single_item():
    def accuracy(items):
        return sum(x["gold"] == x["predicted"] for x in items) / len(items)

    items = _items(30, 20)
    assert bootstrap_interval(items, accuracy) == bootstrap_interval(items, accuracy)
    assert bootstrap_interval(items[:1], accuracy) is None


def test_top_two_counts_the_runner_up_that_the_clarifying_question_offers():
    items = [_item("housing", "housing"), _item("housing", "traffic", 0.6, runner_up="housing"),
             _item("housing", "traffic", 0.6, runner_up="employment"), _item("employment", "employment")]
    assert top_k_accuracy(items, 1) == 0.5
    assert top_k_accuracy(items, 2) == 0.75
    assert top_k_accuracy([{"gold": "housing", "predicted": "housing"}], 2) is None  # no ranking recorded


def test_summary_reports_both_and_the_markdown_shows_them():
    items = _items(36, 14) + [_item("employment", "traffic", 0.3, runner_up="employment")]
    assert summarize(items, labels=TOPICS)["accuracy_ci95"] is None  # only when asked: it costs seconds
    summary = summarize(items, labels=TOPICS, intervals=True)
    assert summary["accuracy_ci95"][0] < summary["accuracy"] < summary["accuracy_ci95"][1]
    low, high = summary["accuracy_at_70_ci95"]
    assert low <= summary["coverage"][2]["accuracy"] <= high
    assert summary["top2_accuracy"] == round(37 / 51, 4)
    text = summary_markdown(summary, title="t")
    assert "95% bootstrap interval" in text and "among the top two" in text


def test_accuracy_per_decision_shows_how_often_an_answer_is_on_topic():
    items = [_item("housing", "housing"), _item("housing", "traffic"),
             {**_item("employment", "traffic", 0.5, runner_up="employment"), "decision": "clarify"},
             {**_item("housing", "housing", 0.3), "decision": None}]  # no decision recorded: not grouped
    summary = summarize(items, labels=TOPICS)
    assert summary["by_decision"] == {
        "answer": {"n": 2, "accuracy": 0.5, "top2_accuracy": 0.5},
        "clarify": {"n": 1, "accuracy": 0.0, "top2_accuracy": 1.0},
    }
    assert "  - answer: 2 messages, topic accuracy 0.500, top two 0.500" in summary_markdown(summary, title="t")
