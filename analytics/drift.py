"""Drift: is this week's traffic still like the traffic the thresholds were chosen on?

For every ISO week, over the messages the bot triaged as a legal question (free text outside the
lead form whose triage kept a topic; greetings and out-of-scope messages have none), two figures
are compared with a *baseline period* (by default the first weeks with data):

- **Topic mix**: the share of each predicted topic. The distance to the baseline mix is the
  total variation distance TVD = ½ Σ_topics |p_week(topic) − p_baseline(topic)| (0: same mix,
  1: no topic in common).
- **Mean confidence** of the predicted topic; the change is mean_week − mean_baseline.

A week is *flagged* when TVD > `tvd_bound` (default 0.15) or |change in mean confidence| >
`confidence_bound` (default 0.10). Weeks with fewer than `min_messages` messages are shown but
never flagged (too few to tell drift from noise). Baseline weeks are compared too (for reference).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from handoff.conversations.repository import UserMessage

from .data import week_of


@dataclass(frozen=True)
class DriftConfig:
    tvd_bound: float = 0.15
    confidence_bound: float = 0.10
    min_messages: int = 10
    baseline_weeks: int = 2  # used when no explicit baseline weeks are given
    baseline: tuple[str, ...] | None = None  # explicit ISO week labels, e.g. ("2026-W45", "2026-W46")

    def as_dict(self) -> dict:
        return asdict(self)


def topic_mix(topics: Iterable[str]) -> dict[str, float]:
    counts = Counter(topics)
    total = sum(counts.values())
    return {k: v / total for k, v in sorted(counts.items())} if total else {}


def total_variation(p: dict[str, float], q: dict[str, float]) -> float:
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q))


def weekly_observations(messages: Iterable[UserMessage]) -> dict[str, list[tuple[str, float]]]:
    """(triage topic, confidence) of each message triaged as a legal question, per ISO week."""
    weeks: dict[str, list[tuple[str, float]]] = {}
    for message in messages:
        if message.topic:
            weeks.setdefault(week_of(message.timestamp), []).append((message.topic, float(message.confidence)))
    return dict(sorted(weeks.items()))


def drift(weeks: dict[str, Sequence[tuple[str, float]]], config: DriftConfig = DriftConfig()) -> dict:
    """Per week: n, topic mix, TVD to the baseline mix, mean confidence and its change, flags."""
    labels = sorted(weeks)
    baseline_labels = [w for w in labels if w in config.baseline] if config.baseline else labels[: config.baseline_weeks]
    pooled = [obs for w in baseline_labels for obs in weeks[w]]
    result = {"config": config.as_dict(), "baseline_weeks": baseline_labels, "baseline_n": len(pooled),
              "baseline_mix": topic_mix(t for t, _ in pooled),
              "baseline_confidence": sum(c for _, c in pooled) / len(pooled) if pooled else None, "weeks": []}
    if not pooled:
        return result
    for label in labels:
        observations = weeks[label]
        mix = topic_mix(t for t, _ in observations)
        mean = sum(c for _, c in observations) / len(observations)
        tvd = total_variation(mix, result["baseline_mix"])
        change = mean - result["baseline_confidence"]
        enough = len(observations) >= config.min_messages
        flags = []
        if enough and tvd > config.tvd_bound:
            flags.append("topic_mix")
        if enough and abs(change) > config.confidence_bound:
            flags.append("confidence")
        result["weeks"].append({"week": label, "n": len(observations), "baseline": label in baseline_labels,
                                "mix": mix, "tvd": tvd, "mean_confidence": mean, "confidence_change": change,
                                "enough_data": enough, "flags": flags})
    return result
