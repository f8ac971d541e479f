"""Choose the FallbackClassifier thresholds from data: the coverage/accuracy curve on the
team's held-out test set (nlu_data/test, never trained on; the shared evaluation set is not used
for choosing anything). For each (threshold, ambiguity_threshold) pair: the share of topic
messages the bot would treat as confident (coverage) and the accuracy on those. The rule: the
lowest thresholds whose confident messages are at least TARGET accurate.
Run: .venv-bot/bin/python bench/nlu_thresholds.py  → bench/results/nlu_thresholds.md
"""
from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.nlu_experiments import read_rasa_yaml  # noqa: E402
from scripts.eval_nlu import current_model_path, predict  # noqa: E402

TARGET = 0.90


def main():
    texts, labels = read_rasa_yaml(sorted((REPO / "nlu_data" / "test").glob("*.yml")))
    rows = [{"id": str(i), "text": t, "gold": l} for i, (t, l) in enumerate(zip(texts, labels))]
    predictions = asyncio.run(predict(rows, current_model_path()))
    grid = []
    for threshold in [x / 100 for x in range(20, 80, 5)]:
        for ambiguity in (0.0, 0.05, 0.1, 0.15, 0.2):
            kept = [
                p for p in predictions
                if p["confidence"] >= threshold
                and (len(p["top3"]) < 2 or p["top3"][0]["confidence"] - p["top3"][1]["confidence"] >= ambiguity)
            ]
            if not kept:
                continue
            accuracy = sum(p["predicted"] == p["gold"] for p in kept) / len(kept)
            grid.append((threshold, ambiguity, len(kept) / len(predictions), accuracy))
    meeting = [g for g in grid if g[3] >= TARGET]
    chosen = max(meeting, key=lambda g: (g[2], -g[0])) if meeting else max(grid, key=lambda g: g[3])
    overall = sum(p["predicted"] == p["gold"] for p in predictions) / len(predictions)
    lines = [
        "# Confidence thresholds",
        "",
        f"- date: {dt.date.today().isoformat()}; model: {current_model_path().name}; data: nlu_data/test ({len(predictions)} messages)",
        f"- overall top-1 accuracy on this set: {overall:.3f}",
        f"- rule: among (threshold, ambiguity) pairs whose confident messages are ≥ {TARGET:.0%} accurate, take the one with the "
        "highest coverage; below it the bot asks one clarifying question or offers a lawyer instead of answering",
        f"- **chosen: threshold {chosen[0]:.2f}, ambiguity_threshold {chosen[1]:.2f}** → coverage {chosen[2]:.1%}, "
        f"accuracy when confident {chosen[3]:.3f}",
        "",
        "| threshold | ambiguity | coverage | accuracy when confident |",
        "|---|---|---|---|",
    ]
    configured = next(c for c in yaml.safe_load((REPO / "bot" / "config.yml").read_text())["pipeline"]
                      if c["name"] == "FallbackClassifier")
    in_use = next((g for g in grid if abs(g[0] - configured["threshold"]) < 1e-9
                   and abs(g[1] - configured["ambiguity_threshold"]) < 1e-9), None)
    if in_use:
        lines.insert(6, f"- **configured in bot/config.yml: threshold {in_use[0]:.2f}, ambiguity_threshold {in_use[1]:.2f}** → "
                        f"coverage {in_use[2]:.1%}, accuracy when confident {in_use[3]:.3f} (the reason is written next to "
                        "the values in bot/config.yml)")
    lines += [f"| {t:.2f} | {a:.2f} | {c:.1%} | {acc:.3f} |" for t, a, c, acc in grid if a in (0.0, 0.1, 0.2)]
    out = REPO / "bench" / "results" / "nlu_thresholds.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:8]))


if __name__ == "__main__":
    main()
