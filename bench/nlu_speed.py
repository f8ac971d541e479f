"""Training time (cold cache) and parse latency of the production pipeline.

Trains bot/config.yml several times, each with an empty Rasa training cache (so nothing is reused), and
reports the median wall-clock and CPU time (the machines are noisy), then loads the model in-process and times `parse_message` (what
/model/parse does, without HTTP) over the team's held-out messages: median and p95.
Run: .venv-bot/bin/python bench/nlu_speed.py [--runs 3]  → bench/results/nlu_speed.md
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.nlu_experiments import read_rasa_yaml  # noqa: E402
from scripts.train_bot import train_command  # noqa: E402


def cpu_seconds_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def parse_latencies(model: Path, texts):
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog
    import logging

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    await agent.parse_message("warm up")
    times = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        times.append((time.perf_counter() - started) * 1000)
    return times


def train_cold(out: str):
    """One full training with its own empty Rasa cache; returns (wall seconds, CPU seconds)."""
    command, env = train_command(config="bot/config.yml", out=Path(out), name="speed")
    env.update(RASA_CACHE_DIRECTORY=str(Path(out) / "cache"), RASA_TELEMETRY_ENABLED="false")
    cpu_before = cpu_seconds_of_children()
    started = time.monotonic()
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True)
    return time.monotonic() - started, cpu_seconds_of_children() - cpu_before


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        runs = [train_cold(str(Path(tmp) / f"run-{i}")) for i in range(args.runs)]
        texts, _ = read_rasa_yaml(sorted((REPO / "nlu_data" / "test").glob("*.yml")))
        # Every n-th message of the whole held-out set, so the sample has its mix of chat lines and long posts.
        texts = texts[:: max(1, len(texts) // 300)][:300]
        times = sorted(asyncio.run(parse_latencies(Path(tmp) / "run-0" / "speed.tar.gz", texts)))
    words = sorted(len(t.split()) for t in texts)
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    p95 = times[int(0.95 * (len(times) - 1))]
    lines = [
        "# NLU training time and parse latency",
        "",
        f"- date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; 1-minute load average at start: {load_before:.1f}",
        f"- full training of bot/config.yml (NLU + dialogue + KB index), cold cache, median of {len(runs)} runs: "
        f"**{wall:.0f} s wall**, {cpu:.0f} s CPU (runs: {', '.join(f'{r[0]:.0f}' for r in runs)} s)",
        f"- parse latency in-process over {len(times)} held-out messages ({words[0]}–{words[-1]} words, median "
        f"{statistics.median(words):.0f}): "
        f"**median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms**",
        "- the encoder runs on one thread per process (LEGALAID_TORCH_THREADS); HTTP /model/parse adds Rasa's server "
        "overhead, measured under load in bench/results/load_chat.md",
    ]
    out = REPO / "bench" / "results" / "nlu_speed.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
