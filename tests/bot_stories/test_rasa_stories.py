"""Runs `rasa test core` on the dialogue test stories against the current trained model."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def current_model() -> Path:
    current = json.loads((REPO / "var" / "models" / "current.json").read_text())
    return REPO / "var" / "models" / current["model"]


def test_every_dialogue_path_story_passes(tmp_path):
    result = subprocess.run(
        [
            sys.executable, "-m", "rasa", "test", "core", "--model", str(current_model()),
            "--stories", "tests/stories", "--out", str(tmp_path), "--fail-on-prediction-errors",
        ],
        cwd=REPO, capture_output=True, text=True,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}\n{details}"
    assert "None of the test stories failed" in details or not details.strip() or "failed" not in details.lower()
