"""Classification metrics shared by the NLU evaluation, the retraining gate and analytics (stdlib only)."""
from __future__ import annotations

import random
from collections import Counter
from typing import Dict, List, Optional, Sequence

BOOTSTRAP_RESAMPLES = 2000


def per_label_scores(pairs: Sequence[tuple], labels: Sequence[str]) -> Dict[str, Dict[str, float]]:
    scores = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "support": tp + fn}
    return scores


def coverage_curve(items: List[dict], steps: Sequence[float]) -> List[Dict[str, float]]:
    """Accuracy on the most confident `coverage` share of items, with the confidence cut-off it implies."""
    ranked = sorted(items, key=lambda x: -x["confidence"])
    curve = []
    for coverage in steps:
        n = max(1, round(coverage * len(ranked)))
        kept = ranked[:n]
        correct = sum(1 for x in kept if x["predicted"] == x["gold"])
        curve.append({"coverage": coverage, "n": n, "accuracy": round(correct / n, 4), "threshold": kept[-1]["confidence"]})
    return curve


def _accuracy(items: Sequence[dict]) -> float:
    return sum(1 for x in items if x["predicted"] == x["gold"]) / len(items) if items else 0.0


def bootstrap_interval(items: List[dict], statistic, *, resamples: int = BOOTSTRAP_RESAMPLES,
                       seed: int = 13) -> Optional[List[float]]:
    """95% percentile interval of `statistic(items)` over resamples of the items (with replacement).

    A 224-item sample cannot tell 0.72 from 0.75: two pipelines are compared on the same items, and a single
    score is reported with this interval so nobody reads a two-point move as progress. Seeded, so a report
    is reproducible.
    """
    if len(items) < 2:
        return None
    rng = random.Random(seed)
    values = sorted(statistic([items[rng.randrange(len(items))] for _ in items]) for _ in range(resamples))
    return [round(values[int(0.025 * resamples)], 4), round(values[int(0.975 * resamples) - 1], 4)]


def top_k_accuracy(items: Sequence[dict], k: int) -> Optional[float]:
    """Share of items whose gold topic is among the first `k` of their ranking (the clarifying question offers the
    top two topics as buttons, so k=2 is what that question can recover). None when no item has a ranking."""
    ranked = [x for x in items if x.get("top3")]
    if not ranked:
        return None
    hits = sum(1 for x in ranked if x["gold"] in [r["topic"] for r in x["top3"][:k]])
    return round(hits / len(ranked), 4)


def by_decision(items: Sequence[dict]) -> Dict[str, Dict[str, object]]:
    """Topic accuracy per triage decision: how often an *answer* is about the right topic is what a person
    experiences, more than the accuracy over every message (most wrong guesses should end in a question or a
    lawyer, not an answer)."""
    groups: Dict[str, List[dict]] = {}
    for item in items:
        if item.get("decision"):
            groups.setdefault(item["decision"], []).append(item)
    return {decision: {"n": len(group), "accuracy": round(_accuracy(group), 4), "top2_accuracy": top_k_accuracy(group, 2)}
            for decision, group in sorted(groups.items())}


def summarize(predictions: List[dict], *, labels: Sequence[str], intervals: bool = False) -> dict:
    """Scores of `predictions` against the topic `labels`. `intervals` adds the bootstrap intervals: about 2 s for
    a thousand items, so the offline evaluation asks for them and the dashboard and the retrain gate do not."""
    known = [p for p in predictions if p["gold"] in labels]
    unknown = [p for p in predictions if p["gold"] not in labels]
    pairs = [(p["gold"], p["predicted"]) for p in known]
    scores = per_label_scores(pairs, labels)
    present = [label for label in labels if scores[label]["support"]]
    accuracy = _accuracy(known)
    macro_f1 = sum(scores[label]["f1"] for label in present) / len(present) if present else 0.0
    confusion = {g: dict(Counter(p for gg, p in pairs if gg == g)) for g in present}
    decisions = Counter(p.get("decision") for p in known)

    def accuracy_at_70(items):
        return coverage_curve(items, [0.7])[0]["accuracy"]

    return {
        "n": len(known),
        "accuracy": round(accuracy, 4),
        "accuracy_ci95": bootstrap_interval(known, _accuracy) if intervals else None,
        "accuracy_at_70_ci95": bootstrap_interval(known, accuracy_at_70) if intervals else None,
        "top2_accuracy": top_k_accuracy(known, 2),
        "by_decision": by_decision(known),
        "macro_f1": round(macro_f1, 4),
        "per_topic": scores,
        "confusion": confusion,
        "coverage": coverage_curve(known, [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]) if known else [],
        "decisions": dict(decisions),
        "unknown_labels": [{"id": p["id"], "gold": p["gold"]} for p in unknown],
    }


def _interval_text(interval: Optional[List[float]]) -> str:
    return f" (95% bootstrap interval {interval[0]:.3f}–{interval[1]:.3f})" if interval else ""


def summary_markdown(summary: dict, *, title: str) -> str:
    lines = [f"# {title}", "", f"- items scored: {summary['n']}", f"- accuracy: {summary['accuracy']:.3f}"
             + _interval_text(summary.get("accuracy_ci95"))]
    if summary.get("top2_accuracy") is not None:
        lines.append(f"- gold topic among the top two (what the clarifying question offers): {summary['top2_accuracy']:.3f}")
    lines += [f"- macro-F1: {summary['macro_f1']:.3f}", f"- decisions: {summary['decisions']}"]
    for decision, row in (summary.get("by_decision") or {}).items():
        top2 = f", top two {row['top2_accuracy']:.3f}" if row.get("top2_accuracy") is not None else ""
        lines.append(f"  - {decision}: {row['n']} messages, topic accuracy {row['accuracy']:.3f}{top2}")
    lines.append("")
    if summary["unknown_labels"]:
        lines += [f"- **{len(summary['unknown_labels'])} items have a gold label the model does not know** (not scored): "
                  + ", ".join(f"{u['id']} ({u['gold']})" for u in summary["unknown_labels"][:50]), ""]
    lines += ["## Accuracy at coverage", "", "| coverage | n | accuracy | confidence cut-off |", "|---|---|---|---|"]
    lines += [f"| {c['coverage']:.0%} | {c['n']} | {c['accuracy']:.3f} | {c['threshold']:.3f} |" for c in summary["coverage"]]
    if summary.get("accuracy_at_70_ci95"):
        lines += ["", "Accuracy at 70% coverage" + _interval_text(summary["accuracy_at_70_ci95"]) + "."]
    lines += ["", "## Per topic", "", "| topic | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for topic, s in summary["per_topic"].items():
        if s["support"]:
            lines.append(f"| {topic} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | {s['support']} |")
    labels = list(summary["confusion"])
    lines += ["", "## Confusion matrix (rows: gold, columns: predicted)", "",
              "| gold \\ predicted | " + " | ".join(l[:5] for l in labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for gold in labels:
        row = summary["confusion"][gold]
        lines.append(f"| {gold} | " + " | ".join(str(row.get(p, 0) or "") for p in labels) + " |")
    return "\n".join(lines) + "\n"
