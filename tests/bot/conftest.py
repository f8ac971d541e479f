"""Tests that run in the bot environment (Python 3.10, Rasa 3.6): `.venv-bot/bin/python -m pytest tests/bot`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture
def storage(tmp_path):
    """An empty Rasa model storage for one component test."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    (tmp_path / "storage").mkdir()
    return LocalModelStorage(tmp_path / "storage")
