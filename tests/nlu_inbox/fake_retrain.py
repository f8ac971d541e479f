"""Stands in for scripts/retrain.py in the app tests: same progress file, same registry, no training.

Started by the admin's "Retrain now" button (through RetrainService) with --job-id and --by.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from scripts.model_registry import Registry  # noqa: E402
from scripts.retrain import Job, exclusive  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--job-id")
parser.add_argument("--by", default="cli")
parser.add_argument("--state-dir", type=Path, required=True)
parser.add_argument("--models-dir", type=Path, required=True)
args = parser.parse_args()

with exclusive(args.state_dir) as got:
    job = Job(args.state_dir, args.job_id, by=args.by)
    if not got:
        job.finish("failed", "another retrain is running")
        sys.exit(2)
    for name in ("export", "train", "evaluate", "gate"):
        with job.stage(name) as stage:
            time.sleep(0.05)
            stage["detail"] = f"fake {name}"
    registry = Registry(args.models_dir, from_logs_dir=args.state_dir / "from_logs")
    model = f"model-fake{job.job_id[-6:]}.tar.gz"
    args.models_dir.mkdir(parents=True, exist_ok=True)
    (args.models_dir / model).write_bytes(b"not a real model")
    registry.upsert({"model": model, "source": "retrain", "trained_at": "2026-01-01T00:00:00+00:00",
                     "metrics": {"macro_f1": 0.9, "accuracy": 0.91}, "data_hash": "abc123"})
    with job.stage("promote") as stage:
        registry.promote(model, rasa=None, by=args.by)
        stage["detail"] = f"current model: {model}"
    job.finish("promoted", f"{model} promoted")
