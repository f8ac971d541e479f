"""Model metrics on reviewed labels: accuracy, macro-F1, per-topic precision/recall, confidence
histogram, calibration (reliability diagram, expected calibration error), coverage vs accuracy.

Scores come from `scripts.nlu_metrics` (shared with the offline NLU evaluation and the retraining
gate), so a number here means the same as in `make eval-nlu`.

Definitions:
- A *scored item* is a reviewed message (a label from the NLU inbox joined to its tracker user event)
  whose gold label is one of the 16 topics; other gold labels (e.g. "not legal") are listed, not scored.
- *Predicted topic*: the classifier's top topic (the triage topic, or the top of the ranking when
  triage withheld a topic as out of scope); *confidence*: that topic's probability.
- *Accuracy*: share of scored items whose predicted topic is the gold topic. *Macro-F1*: the mean
  of per-topic F1 over the topics present in the gold labels.
- *Calibration*: items are put into equal-width confidence bins; a bin's gap is |accuracy − mean
  confidence|, and the expected calibration error (ECE) is Σ_bins (n_bin / n) · gap.
- *Confidence histogram*: the confidence of every message the bot triaged as a legal question
  (free text outside the lead form whose triage kept a topic), and of the reviewed items split by
  correct / wrong.
- *Coverage at threshold t*: share of scored items with confidence ≥ t; *accuracy at t*: accuracy
  of those items (the ones the bot would answer).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable, Sequence

from handoff.conversations.repository import TOPICS, UserMessage

from .bot_config import current_threshold
from .data import predicted_topic
from .labels import LabelledItem
from .threshold import Scored

REPO_ROOT = Path(__file__).resolve().parent.parent
try:
    from scripts.nlu_metrics import summarize
except ImportError:  # run from elsewhere: scripts/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(REPO_ROOT))
    from scripts.nlu_metrics import summarize


def join_labels(labels: Iterable[LabelledItem], user_events: dict[int, UserMessage]) -> tuple[list[dict], list[int]]:
    """Predictions of the labelled events (the shape `scripts.nlu_metrics.summarize` takes) and the
    ids of labels whose event is not in the period / the tracker."""
    predictions, missing = [], []
    for item in labels:
        message = user_events.get(item.event_id)
        if message is None:
            missing.append(item.event_id)
            continue
        predictions.append({
            "id": item.event_id,
            "gold": item.gold,
            "predicted": predicted_topic(message),
            "confidence": float(message.confidence),
            "decision": message.decision,
            "week_ts": message.timestamp,
        })
    return predictions, missing


def scored(predictions: Iterable[dict]) -> list[Scored]:
    return [Scored(p["confidence"], p["predicted"] == p["gold"]) for p in predictions if p["gold"] in TOPICS]


def _bin_index(confidence: float, bins: int) -> int:
    return min(int(confidence * bins), bins - 1) if confidence > 0 else 0


def histogram(confidences: Iterable[float], bins: int = 10) -> list[dict]:
    """Counts per equal-width confidence bin [k/bins, (k+1)/bins) (the last bin includes 1.0)."""
    counts = [0] * bins
    for c in confidences:
        counts[_bin_index(float(c), bins)] += 1
    return [{"lo": k / bins, "hi": (k + 1) / bins, "n": counts[k]} for k in range(bins)]


def calibration(items: Sequence[Scored], bins: int = 10) -> dict:
    """Reliability diagram bins (n, mean confidence, accuracy, gap) and the expected calibration error."""
    grouped: list[list[Scored]] = [[] for _ in range(bins)]
    for item in items:
        grouped[_bin_index(item.confidence, bins)].append(item)
    rows, ece = [], 0.0
    for k, members in enumerate(grouped):
        row = {"lo": k / bins, "hi": (k + 1) / bins, "n": len(members), "confidence": None, "accuracy": None, "gap": None}
        if members:
            confidence = sum(m.confidence for m in members) / len(members)
            accuracy = sum(1 for m in members if m.correct) / len(members)
            row.update(confidence=confidence, accuracy=accuracy, gap=abs(accuracy - confidence))
            ece += len(members) / len(items) * row["gap"]
        rows.append(row)
    return {"bins": rows, "ece": ece if items else None, "n": len(items)}


def model_summary(labels: Sequence[LabelledItem], user_events: dict[int, UserMessage],
                  messages: Sequence[UserMessage], *, bins: int = 10) -> dict:
    """Every model figure of the report: scores on reviewed labels and confidence of all messages."""
    predictions, missing = join_labels(labels, user_events)
    summary = summarize(predictions, labels=TOPICS)
    items = scored(predictions)
    with_topic = [m for m in messages if m.topic]  # triaged as a legal question (not greetings, not out of scope)
    return {
        "labels": len(labels),
        "labels_missing_event": missing,
        "scores": summary,  # n, accuracy, macro_f1, per_topic, confusion, coverage, decisions, unknown_labels
        "items": items,
        "histogram_all": histogram((m.confidence for m in with_topic), bins),
        "histogram_correct": histogram((i.confidence for i in items if i.correct), bins),
        "histogram_wrong": histogram((i.confidence for i in items if not i.correct), bins),
        "messages_with_topic": len(with_topic),
        "mean_confidence": sum(m.confidence for m in with_topic) / len(with_topic) if with_topic else None,
        "calibration": calibration(items, bins),
        "current_threshold": current_threshold(),
    }
