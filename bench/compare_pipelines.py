"""Compare NLU pipelines inside Rasa: 3-fold cross-validation on the training data (`rasa test
nlu --cross-validation`), and held-out scores on the team's test set and the shared evaluation
set (evaluation only, never trained on). Writes bench/results/nlu_pipeline_comparison.md.
Run with the bot environment: .venv-bot/bin/python bench/compare_pipelines.py [--folds 3]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.nlu_experiments import SHARED_EVAL, read_rasa_yaml  # noqa: E402
from bot.policy.decision import TOPICS  # noqa: E402
from scripts.eval_nlu import predict, read_tsv  # noqa: E402
from scripts.nlu_metrics import summarize  # noqa: E402

CONFIGS = {
    "A: LR on MiniLM sentence features": "bench/configs/linear_sentence.yml",
    "B: DIET on MiniLM + sparse word counts": "bench/configs/diet_sentence_sparse.yml",
    "C: LR on MiniLM + word n-grams": "bench/configs/linear_sentence_sparse.yml",
    "D: LR on MiniLM, top 3 layers fine-tuned 1 epoch": "bench/configs/linear_finetuned_e1.yml",
    "E: LR on MiniLM, top 3 layers fine-tuned 2 epochs": "bench/configs/linear_finetuned_e2.yml",
    "F: E without emergency in the tuning, plus base features, tuned on 64 word pieces": "bench/configs/linear_finetuned_base_len64.yml",
    "G: E without emergency in the tuning, plus base features, tuned on 128 word pieces": "bench/configs/linear_finetuned_base_len128.yml",
    "H: F tuned for 1 epoch at twice the learning rate": "bench/configs/linear_finetuned_e1_lr1e-4.yml",
    "I: H with only the top 2 layers tuned": "bench/configs/linear_finetuned_e1_lr1e-4_frozen4.yml",
    "J: H with the frozen layers' mean output as the second feature (production)": "bench/configs/linear_finetuned_e1_frozen_features.yml",
    "K: DIET on MiniLM + sparse word counts, without transformer layers": "bench/configs/diet_sentence_sparse_light.yml",
}
TRAIN = ["nlu_data/topics", "nlu_data/conversation.yml"]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "RASA_TELEMETRY_ENABLED": "false"}


def rasa(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "rasa", *args], cwd=cwd, env=ENV, check=True, capture_output=True, text=True)


def merged_training_file(tmp: Path) -> Path:
    texts, labels = read_rasa_yaml(sorted((REPO / "nlu_data" / "topics").glob("*.yml")) + [REPO / "nlu_data" / "conversation.yml"])
    by_intent = {}
    for t, l in zip(texts, labels):
        by_intent.setdefault(l, []).append(t)
    lines = ['version: "3.1"', "nlu:"]
    for intent, items in by_intent.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {t}" for t in items]
    path = tmp / "train.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def team_test_rows():
    texts, labels = read_rasa_yaml(sorted((REPO / "nlu_data" / "test").glob("*.yml")))
    return [{"id": f"team-{i}", "text": t, "gold": l} for i, (t, l) in enumerate(zip(texts, labels))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--only", nargs="*", help="letters of the pipelines to run, e.g. A B")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ENV["RASA_CACHE_DIRECTORY"] = str(tmp / "rasa-cache")  # every pipeline trains from scratch: honest times
        train_file = merged_training_file(tmp)
        for name, config in CONFIGS.items():
            if args.only and name.split(":")[0] not in args.only:
                continue
            row = {}
            started = time.monotonic()
            rasa("train", "nlu", "--config", config, "--nlu", str(train_file), "--out", str(tmp / "models"),
                 "--fixed-model-name", "candidate", "--domain", "bot/domain.yml")
            row["train_s"] = time.monotonic() - started
            model = tmp / "models" / "candidate.tar.gz"
            for label, rows in (("team test", team_test_rows()), ("shared eval", read_tsv(SHARED_EVAL) if SHARED_EVAL.exists() else [])):
                if not rows:
                    continue
                predictions = asyncio.run(predict(rows, model))
                summary = summarize(predictions, labels=list(TOPICS))
                cov = {c["coverage"]: c["accuracy"] for c in summary["coverage"]}
                row[label] = (summary["accuracy"], summary["macro_f1"], cov.get(0.7), cov.get(0.5))
            if not args.skip_cv:
                out = tmp / f"cv-{len(results)}"
                rasa("test", "nlu", "--config", config, "--nlu", str(train_file), "--cross-validation",
                     "--folds", str(args.folds), "--out", str(out), "--domain", "bot/domain.yml")
                report = json.loads((out / "intent_report.json").read_text()) if (out / "intent_report.json").exists() else {}
                row["cv"] = (report.get("accuracy"), (report.get("macro avg") or {}).get("f1-score"))
            results[name] = row
            print(name, row, flush=True)
            # Partial results survive an interrupted run.
            (REPO / "var").mkdir(exist_ok=True)
            (REPO / "var" / "pipeline_comparison.json").write_text(json.dumps(results, indent=2))

    lines = [
        "# NLU pipeline comparison",
        "",
        f"- date: {dt.date.today().isoformat()}; machine: {platform.machine()}, {os.cpu_count()} cores; "
        "the machine was shared with other jobs, so times are indicative only",
        f"- training data: nlu_data/topics + conversation.yml; cross-validation: {args.folds} folds over it",
        "- held-out: the team's test set (nlu_data/test, never trained on) and the shared Learned Hands sample "
        "(224 real posts; evaluation only)",
        "",
        "| pipeline | CV accuracy | CV macro-F1 | team test acc / F1 | team acc@70% | shared eval acc / F1 | shared acc@70% / @50% | train time (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results.items():
        cv = row.get("cv", (None, None))
        team = row.get("team test", (0, 0, 0, 0))
        shared = row.get("shared eval", (0, 0, 0, 0))
        fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else "n/a"  # noqa: E731
        lines.append(
            f"| {name} | {fmt(cv[0])} | {fmt(cv[1])} | {team[0]:.3f} / {team[1]:.3f} | {fmt(team[2])} | "
            f"{shared[0]:.3f} / {shared[1]:.3f} | {fmt(shared[2])} / {fmt(shared[3])} | {row['train_s']:.0f} |"
        )
    out = REPO / "bench" / "results" / "nlu_pipeline_comparison_raw.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
