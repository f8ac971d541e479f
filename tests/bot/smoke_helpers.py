"""Train a tiny NLU model for real (`rasa train nlu` in a subprocess) and parse with it, for the smoke tests."""
from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SMOKE = Path(__file__).parent / "data" / "smoke"


def train_and_parse(config: Path, out: Path, text: str) -> dict:
    """Train `config` on the smoke NLU data into `out` and return Rasa's parse of `text`."""
    command = [
        sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config), "--nlu", str(SMOKE / "nlu.yml"),
        "--domain", str(SMOKE / "domain.yml"), "--out", str(out), "--fixed-model-name", "smoke",
    ]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    from rasa.core.agent import Agent

    agent = Agent.load(str(out / "smoke.tar.gz"))
    return asyncio.run(agent.parse_message(text))


def execution_context(name: str = "node"):
    """The ExecutionContext Rasa gives a component, for creating components outside a graph."""
    from rasa.engine.graph import ExecutionContext, GraphSchema

    return ExecutionContext(GraphSchema({}), node_name=name)
