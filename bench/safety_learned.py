"""The learned `emergency` intent as a second line behind the safety rules.

Runs the trained model (in-process, like /model/parse) over the safety test sets, which the
model never saw in training (nlu_data/safety is written separately), and reports how often the
classifier alone would flag immediate danger, and how often it raises a false alarm on ordinary
messages with alarming words. Run: .venv-bot/bin/python bench/safety_learned.py
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.eval_nlu import current_model_path  # noqa: E402
from scripts.retrain import emergency_threshold_of  # noqa: E402

DATA = REPO / "tests" / "data" / "safety"
THRESHOLD = emergency_threshold_of()


def lines(name):
    return [l.split("\t")[0].strip() for l in (DATA / name).read_text().splitlines() if l.strip() and not l.startswith("#")]


async def run():
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(current_model_path()))
    results = {}
    for name in ("danger_messages.txt", "abuse_messages.txt", "ordinary_messages.txt"):
        learned = either = 0
        confidences = []
        texts = lines(name)
        for text in texts:
            parsed = await agent.parse_message(text)
            ranking = {r["name"]: r["confidence"] for r in parsed.get("intent_ranking", [])}
            confidences.append(ranking.get("emergency", 0.0))
            learned += confidences[-1] >= THRESHOLD
            either += (parsed.get("triage") or {}).get("decision") == "emergency"
        results[name] = (len(texts), learned, either, confidences)
    return results


def main():
    results = asyncio.run(run())
    out = [
        "# Safety: the learned emergency intent next to the rules",
        "",
        f"- date: {dt.date.today().isoformat()}; model: {current_model_path().name}; data: tests/data/safety (never trained on)",
        "",
        f"| messages | n | flagged by the classifier alone (emergency ≥ {THRESHOLD}) | emergency decision (rules or classifier) |",
        "|---|---|---|---|",
    ]
    for name, (n, learned, either, _) in results.items():
        out.append(f"| {name.replace('_messages.txt', '')} | {n} | {learned / n:.1%} | {either / n:.1%} |")
    out += ["", "## The classifier alone at other cut-offs", "",
            "| emergency ≥ | danger flagged | abuse flagged | ordinary flagged (false alarms) |", "|---|---|---|---|"]
    for cut in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        share = {name: sum(c >= cut for c in conf) / n for name, (n, _, _, conf) in results.items()}
        out.append(f"| {cut} | {share['danger_messages.txt']:.1%} | {share['abuse_messages.txt']:.1%} | "
                   f"{share['ordinary_messages.txt']:.1%} |")
    out += ["", "The cut-off (`emergency_threshold` in bot/config.yml) is the lowest one that keeps false alarms on "
            "ordinary messages under the 5% budget with some room (they come on top of the rules' own); the rules "
            "stay the first line and catch every danger line above on their own. History: 0.7 with the frozen "
            "encoder (72% / 1.3%), 0.8 with the second session's fine-tuned features (73% / 3.6%), 0.85 with the "
            "frozen-layer features of the third session, where 0.8 would leave no room (4.9%)."]
    (REPO / "bench" / "results" / "safety_learned.md").write_text("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
