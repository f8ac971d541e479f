"""Scores the average of several runs' class probabilities (saved by `finetune_experiment.py --save-probs`).

Answers one question before anyone pays for it in training time: how much of the shared sample's seed spread
would an ensemble of tuned encoders turn into accuracy? Each run is scored alone, then the mean of the
probabilities of all of them, on the team's held-out set and the shared sample, as `make eval-nlu` scores them.
    .venv-bot/bin/python bench/ensemble_runs.py /tmp/seed42.npz /tmp/seed1.npz /tmp/seed2.npz
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.finetune_experiment import topic_scores  # noqa: E402


def load_run(path: Path) -> dict:
    with np.load(path) as run:
        return {key: run[key] for key in run.files}


def score(probs: dict, gold: dict, classes: list) -> dict:
    return {split: {k: v for k, v in topic_scores(probs[split], classes, list(gold[split])).items()
                    if k != "top confusions"} for split in ("test", "shared")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+", type=Path)
    args = parser.parse_args()
    runs = [load_run(path) for path in args.runs]
    classes = list(runs[0]["classes"])
    for run in runs[1:]:
        if list(run["classes"]) != classes or any((run[f"{s}_gold"] != runs[0][f"{s}_gold"]).any()
                                                  for s in ("test", "shared")):
            raise SystemExit("the runs were not made on the same intents and evaluation items")
    gold = {split: runs[0][f"{split}_gold"] for split in ("test", "shared")}
    report = {path.stem: score(run, gold, classes) for path, run in zip(args.runs, runs)}
    mean = {split: np.mean([run[split] for run in runs], axis=0) for split in ("test", "shared")}
    report[f"mean of {len(runs)}"] = score(mean, gold, classes)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
