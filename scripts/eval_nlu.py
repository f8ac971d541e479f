"""Evaluate the trained NLU model on a labelled TSV (run with the bot environment's Python).

Input: a TSV with a header and columns `id`, `text` and `label` (or `category`).
Output in --out: predictions.jsonl (id, gold, predicted topic, confidence, top-3, decision),
summary.json and summary.md (accuracy, macro-F1, per-topic precision/recall, confusion matrix,
accuracy at each coverage from 50% to 100%). Items whose gold label is not an intent of the
model are listed in the summary and left out of the metrics, never dropped silently.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bot.policy.decision import TOPICS  # noqa: E402
from scripts.nlu_metrics import summarize, summary_markdown  # noqa: E402


class DataError(ValueError):
    pass


def read_tsv(path: Path):
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        columns = set(reader.fieldnames or [])
        label = "label" if "label" in columns else "category" if "category" in columns else None
        if not {"id", "text"} <= columns or label is None:
            raise DataError(f"{path}: needs a header with columns id, text and label (or category); got {sorted(columns)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if not (row.get("text") or "").strip():
                raise DataError(f"{path}:{line}: empty text")
            rows.append({"id": row["id"], "text": row["text"], "gold": (row[label] or "").strip()})
    if not rows:
        raise DataError(f"{path}: no rows")
    return rows


def current_model_path() -> Path:
    current = json.loads((REPO / "var" / "models" / "current.json").read_text())
    return REPO / "var" / "models" / current["model"]


async def predict(rows, model_path: Path):
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa's debug parse logs would print every evaluated text; keep them out of the output.
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model_path))
    predictions = []
    for row in rows:
        parsed = await agent.parse_message(row["text"])
        ranking = [r for r in parsed.get("intent_ranking", []) if r.get("name") in TOPICS]
        triage = parsed.get("triage") or {}
        predictions.append(
            {
                "id": row["id"],
                "gold": row["gold"],
                "predicted": ranking[0]["name"] if ranking else None,
                "confidence": round(float(ranking[0]["confidence"]), 4) if ranking else 0.0,
                "top3": [{"topic": r["name"], "confidence": round(float(r["confidence"]), 4)} for r in ranking[:3]],
                "intent": (parsed.get("intent") or {}).get("name"),
                "decision": triage.get("decision"),
                "reason": triage.get("reason"),
                # The learned `emergency` intent on its own (the retrain gate checks it separately from the rules).
                "emergency_confidence": round(float(next((r["confidence"] for r in parsed.get("intent_ranking", [])
                                                          if r.get("name") == "emergency"), 0.0)), 4),
            }
        )
    return predictions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--out", default=REPO / "var" / "eval", type=Path)
    parser.add_argument("--model", type=Path, default=None, help="model archive (default: the current model)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    try:
        rows = read_tsv(args.data)
    except (DataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    predictions = asyncio.run(predict(rows, args.model or current_model_path()))
    summary = summarize(predictions, labels=list(TOPICS), intervals=True)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "predictions.jsonl").open("w") as handle:
        for item in predictions:
            handle.write(json.dumps(item) + "\n")
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    (args.out / "summary.md").write_text(summary_markdown(summary, title=f"NLU evaluation on {args.data.name}"))
    print(f"accuracy {summary['accuracy']:.3f}  macro-F1 {summary['macro_f1']:.3f}  n={summary['n']}  -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
