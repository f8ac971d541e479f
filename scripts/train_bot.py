"""Train the Rasa model when its inputs changed (run with the bot environment's Python).

The model is identified by a hash of everything that shapes it (pipeline, domain, stories,
training data, knowledge base, component code). `var/models/current.json` names the model the
Rasa server loads; an unchanged hash means the existing model is reused and nothing is trained.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO / "var" / "models"
CURRENT = MODELS_DIR / "current.json"

TRAINING_DATA = ["bot/data", "nlu_data/topics", "nlu_data/conversation.yml", "nlu_data/safety", "nlu_data/from_logs"]
HASHED_INPUTS = [
    "bot/config.yml", "bot/domain.yml", "bot/data", "nlu_data/topics", "nlu_data/conversation.yml",
    "nlu_data/safety", "nlu_data/from_logs", "nlu_data/kb", "bot/components", "bot/knowledge",
]
# bot/policy and bot/safety only act at inference (imported live by the components), so a change
# there needs a restart, not a new model.


def _files(paths):
    for rel in paths:
        path = REPO / rel
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def inputs_hash(config: str = "bot/config.yml") -> str:
    digest = hashlib.sha256()
    for path in _files([config] + [p for p in HASHED_INPUTS if p != "bot/config.yml"]):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def existing_data_paths():
    return [p for p in TRAINING_DATA if (REPO / p).exists()]


def train_command(*, config: str, out: Path, name: str):
    """The `rasa train` command line and environment of a model build (the speed benchmark times this same one)."""
    command = [
        sys.executable, "-m", "rasa", "train", "--config", config, "--domain", "bot/domain.yml",
        "--data", *existing_data_paths(), "--out", str(out), "--fixed-model-name", name, "--quiet",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return command, env


def train(*, config: str, out: Path, name: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    command, env = train_command(config=config, out=out, name=name)
    started = time.monotonic()
    subprocess.run(command, cwd=REPO, env=env, check=True)
    print(f"trained {name} in {time.monotonic() - started:.1f}s", flush=True)
    return out / f"{name}.tar.gz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="bot/config.yml")
    parser.add_argument("--force", action="store_true", help="train even if the inputs did not change")
    args = parser.parse_args()

    digest = inputs_hash(args.config)
    current = json.loads(CURRENT.read_text()) if CURRENT.exists() else {}
    model_path = MODELS_DIR / f"model-{digest}.tar.gz"
    if not args.force and current.get("hash") == digest and model_path.exists():
        print(f"model up to date: {model_path.relative_to(REPO)}")
        return 0
    pinned = MODELS_DIR / str(current.get("model", ""))
    if not args.force and current.get("pinned") and pinned.is_file():
        # A rollback pins the model staff chose; only --force (or the gated `make retrain`) replaces it.
        print(f"model pinned by a rollback: {pinned.relative_to(REPO)} (use --force to train anyway)")
        return 0
    if not model_path.exists() or args.force:
        train(config=args.config, out=MODELS_DIR, name=f"model-{digest}")
    CURRENT.write_text(json.dumps({"hash": digest, "model": model_path.name, "trained_at": time.time()}, indent=2))
    print(f"current model: {model_path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
