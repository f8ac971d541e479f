"""Load test of the chat path: N concurrent conversations through the app's POST /api/chat,
next to baselines measured in the same run at the same concurrency:

  parse  Rasa's POST /model/parse (NLU only)         - the "plain Rasa" baseline
  rest   Rasa's REST channel /webhooks/rest/webhook   - Rasa's full turn (NLU + dialogue + actions + tracker store)
  chat   the app's POST /api/chat                     - what the widget sees (app → Rasa REST)

Everything stays on 127.0.0.1 and every loop is bounded (time and turn count). The messages are
written here (templates per topic, varied fillers, typos); no evaluation data is used.

    # against a running stack (token from var/secrets.env); the app's CHAT_RATE_LIMIT must be raised
    .venv-app/bin/python bench/load_chat.py --app http://127.0.0.1:8000 --rasa http://127.0.0.1:5005

    # or let it start its own stack on free ports with a temporary var dir (needs a trained model)
    .venv-app/bin/python bench/load_chat.py --start-stack --duration 60 --repeat 3 --markdown bench/results/load_chat.md

Each phase runs --repeat times (interleaved parse, rest, chat, parse, ...); the report gives the
median of the repeats, since the machine may be shared.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent

# --- the messages ---------------------------------------------------------------------------------

GREETINGS = ["hi", "hello", "hey there", "good morning", "hello is anyone there", "hi, I need some help", "hey"]
THANKS = ["thanks", "thank you so much", "ok thanks, that helps", "great, thank you"]
BYES = ["bye", "goodbye", "thanks, bye", "that's all for now"]
FOLLOW_UPS = [
    "what should I do next?", "how long does that usually take", "is there a deadline for this?",
    "do I need to go to court for this", "can I do this without a lawyer?", "how much would it cost me",
]
NAMES = ["Maria Lopez", "James Carter", "Aisha Khan", "Tom Nguyen", "Olga Petrova", "Sam O'Neil", "Li Wei", "Grace Kim"]
STATES = ["TX", "CA", "New York", "florida", "IL", "94110", "60614", "WA", "Ohio", "30301"]
URGENCY = ["high", "normal", "low", "urgent", "not urgent"]

FILL = {
    "time": ["two weeks", "a month", "three months", "six months", "a year", "a few days"],
    "money": ["$500", "$1,200", "$3000", "about 800 dollars", "$15,000", "two thousand dollars"],
    "person": ["my landlord", "my boss", "my ex", "my neighbor", "the company", "my sister", "the school"],
    "family": ["my son", "my daughter", "my kids", "my mother", "my husband", "my wife"],
    "place": ["Texas", "California", "Ohio", "Florida", "New York", "Georgia"],
}

TOPIC_TEMPLATES: dict[str, list[str]] = {
    "housing": [
        "my landlord won't give back my security deposit of {money}, I moved out {time} ago",
        "I got an eviction notice taped to my door, what can I do",
        "the heating in my apartment has been broken for {time} and the landlord ignores me",
        "can my landlord raise the rent by {money} with no notice?",
        "there's black mold in my rental and my kids keep getting sick",
    ],
    "employment": [
        "{person} didn't pay me overtime for {time}",
        "I was fired after I complained about harassment at work",
        "my employer owes me {money} in final wages",
        "can I be fired for taking medical leave?",
        "my manager keeps cutting my hours because I'm pregnant",
    ],
    "family": [
        "I want to get custody of {family} after the separation",
        "my ex stopped paying child support {time} ago",
        "how do I adopt my stepson",
        "can I move to {place} with my kids if their father objects",
    ],
    "divorce": [
        "I want a divorce but my husband refuses to sign the papers",
        "how is property split in a divorce in {place}",
        "my wife filed for divorce, what happens to our house",
        "how long does an uncontested divorce take",
    ],
    "consumer": [
        "a debt collector keeps calling me at work about {money}",
        "the car dealer sold me a lemon and won't take it back",
        "I was charged {money} for a subscription I cancelled",
        "someone opened a credit card in my name",
    ],
    "crime": [
        "I was arrested for shoplifting, what happens now",
        "can I get my old misdemeanor expunged",
        "the police searched my car without a warrant",
        "I have a court date for a DUI next week",
    ],
    "traffic": [
        "I got a speeding ticket on the highway, can I fight it?",
        "my license got suspended for unpaid tickets",
        "I was in a car accident and the other driver had no insurance",
        "how do I contest a red light camera ticket",
    ],
    "immigration": [
        "my visa expires in {time}, how can I renew it",
        "how do I apply for a green card through my wife",
        "I'm undocumented and afraid of being deported",
        "can I work while my asylum case is pending",
    ],
    "benefits": [
        "my SNAP benefits were cut off without explanation",
        "I was denied social security disability, how do I appeal",
        "my unemployment claim was rejected",
        "how do I apply for medicaid for {family}",
    ],
    "estates": [
        "my father died without a will, who gets the house",
        "how do I write a will for myself",
        "I was named executor of my aunt's estate, what do I do",
        "my brother is refusing to share the inheritance",
    ],
    "health": [
        "the hospital sent me a bill for {money} that insurance should cover",
        "my insurance denied coverage for my surgery",
        "can I get my medical records from my doctor",
    ],
    "education": [
        "the school suspended {family} for {time} without a hearing",
        "my child with autism isn't getting the IEP services",
        "I can't pay back my student loans, what are my options",
    ],
    "business": [
        "how do I register an LLC for my bakery",
        "a client owes my small business {money} and won't pay",
        "do I need a license to sell food from home",
    ],
    "torts": [
        "I slipped on a wet floor at the grocery store and broke my wrist",
        "my neighbor's dog bit me",
        "a doctor made a mistake in my surgery, can I sue",
    ],
    "courts": [
        "how do I file a case in small claims court for {money}",
        "I missed my court date, what happens now",
        "how do I get a copy of my court records",
    ],
    "domestic_violence": [
        "how do I get a restraining order against my ex",
        "my partner controls all our money and threatens me",
        "I left an abusive relationship and need a protective order",
    ],
}
EMERGENCY = ["he is hitting me right now and I'm scared", "I'm afraid he will kill me tonight"]
LAWYER_REQUESTS = ["I want to talk to a lawyer", "can I speak with an attorney about this", "I need a lawyer"]
TYPO = str.maketrans({"e": "3"})


def problem_text(rng: random.Random, topic: str | None = None) -> str:
    topic = topic or rng.choice(list(TOPIC_TEMPLATES))
    text = rng.choice(TOPIC_TEMPLATES[topic])
    for key, values in FILL.items():
        text = text.replace("{" + key + "}", rng.choice(values))
    roll = rng.random()
    if roll < 0.1:
        text = text.lower().replace("'", "")
    elif roll < 0.15:
        text = text.translate(TYPO) if len(text) < 40 else text
    elif roll < 0.25:
        text = "Hi. " + text[0].upper() + text[1:] + ". Please help."
    return text


def all_free_texts(rng: random.Random, n: int) -> list[str]:
    """Texts for the /model/parse baseline: the same mix the chat sessions send."""
    pool = GREETINGS + THANKS + FOLLOW_UPS
    return [problem_text(rng) if rng.random() < 0.7 else rng.choice(pool) for _ in range(n)]


# --- a conversation: a small state machine driven by the bot's replies ---------------------------------


def payloads(messages: list[dict]) -> list[str]:
    return [b.get("payload", "") for m in messages for b in m.get("buttons") or []]


def joined(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@dataclass
class Turn:
    message: str
    display: str | None = None  # X-Display-Text: a button's title


class Conversation:
    """Yields the next user turn given the bot's last replies; at most max_turns turns."""

    def __init__(self, rng: random.Random, max_turns: int = 12):
        self.rng = rng
        self.max_turns = max_turns
        self.turns = 0
        self.in_form = False
        self.form_step = 0
        self.done = False

    def first(self) -> Turn:
        self.turns = 1
        if self.rng.random() < 0.02:
            self.done = True
            return Turn(self.rng.choice(EMERGENCY))
        if self.rng.random() < 0.5:
            return Turn(self.rng.choice(GREETINGS))
        return Turn(problem_text(self.rng))

    def next(self, replies: list[dict]) -> Turn | None:
        if self.done or self.turns >= self.max_turns:
            return None
        self.turns += 1
        rng, text, buttons = self.rng, joined(replies), payloads(replies)
        if self.in_form or "Do you agree" in text:
            return self._form(text, buttons)
        topic_buttons = [p for p in buttons if p.startswith("/choose_topic")]
        if topic_buttons:  # the clarifying question
            if rng.random() < 0.85:
                return Turn(rng.choice(topic_buttons), display="(topic)")
            return Turn("/something_else", display="Something else")
        if "/feedback_helpful" in buttons:  # an answer
            roll = rng.random()
            if roll < 0.35:
                return Turn("/feedback_helpful", display="Yes, helpful")
            if roll < 0.5:
                return Turn("/request_lawyer", display="Talk to a lawyer")
            if roll < 0.7:
                return Turn(rng.choice(FOLLOW_UPS))
            return Turn(rng.choice(THANKS))
        if "/affirm" in buttons and rng.random() < 0.5:
            return Turn("/affirm", display="Yes")
        roll = rng.random()
        if roll < 0.55:
            return Turn(problem_text(rng))
        if roll < 0.65:
            return Turn(rng.choice(LAWYER_REQUESTS))
        if roll < 0.8:
            self.done = True
            return Turn(rng.choice(BYES))
        return Turn(rng.choice(THANKS + FOLLOW_UPS))

    def _form(self, text: str, buttons: list[str]) -> Turn:
        rng = self.rng
        lowered = text.lower()
        if not self.in_form:
            self.in_form = True
            if rng.random() < 0.25:
                self.done = True
                return Turn("/deny", display="No")
            return Turn("/affirm", display="Yes, I agree")
        if "thank you" in lowered or "lawyer will" in lowered or self.form_step > 8:
            self.done = True
            return Turn(rng.choice(THANKS))
        self.form_step += 1
        if "name" in lowered and "summary" not in lowered:
            return Turn(rng.choice(NAMES))
        if "email" in lowered or "phone" in lowered:
            if rng.random() < 0.5:
                return Turn(f"load-{uuid.uuid4().hex[:6]}@example.org")
            return Turn(f"(512) 555-{rng.randint(1000, 9999)}")
        if "state" in lowered or "zip" in lowered:
            return Turn(rng.choice(STATES))
        if "summary" in lowered:
            return Turn("/affirm", display="Yes, that's right")
        if "urgent" in lowered:
            return Turn(rng.choice(URGENCY))
        return Turn(rng.choice(["yes", "ok", "cancel"]))


# --- the measurement ---------------------------------------------------------------------------------


@dataclass
class PhaseResult:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    conversations: int = 0

    @property
    def turns(self) -> int:
        return len(self.latencies) + sum(self.errors.values())

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            if not lat:
                return float("nan")
            return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] * 1000

        return {
            "phase": self.name, "seconds": round(self.seconds, 1), "turns": self.turns, "ok": len(lat),
            "errors": sum(self.errors.values()), "error_kinds": dict(self.errors),
            "turns_per_s": round(len(lat) / self.seconds, 2) if self.seconds else 0.0,
            "p50_ms": round(pct(50), 1), "p95_ms": round(pct(95), 1), "p99_ms": round(pct(99), 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else None, "conversations": self.conversations,
        }


async def _timed(result: PhaseResult, call) -> Any:
    start = time.perf_counter()
    try:
        response = await call()
    except httpx.TimeoutException:
        result.error("timeout")
        return None
    except httpx.HTTPError as exc:
        result.error(type(exc).__name__)
        return None
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        result.error(f"HTTP {response.status_code}")
        return None
    result.latencies.append(elapsed)
    return response


async def run_sessions(
    name: str, *, url: str, path: str, params: dict, concurrency: int, duration: float, max_turns: int,
    seed: int, timeout: float, conversation_turns: int = 12,
) -> PhaseResult:
    """`concurrency` users, each running conversation after conversation until time or turns run out."""
    result = PhaseResult(name=name, seconds=0.0)
    deadline = time.perf_counter() + duration
    budget = {"left": max_turns}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    tag = uuid.uuid4().hex[:6]

    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:

        async def user(index: int) -> None:
            rng = random.Random(seed * 1000 + index)
            number = 0
            while time.perf_counter() < deadline and budget["left"] > 0:
                number += 1
                sender = f"load-{tag}-{index}-{number}"
                conversation = Conversation(rng, max_turns=conversation_turns)
                turn: Turn | None = conversation.first()
                result.conversations += 1
                while turn is not None and time.perf_counter() < deadline and budget["left"] > 0:
                    budget["left"] -= 1
                    headers = {"X-Display-Text": turn.display} if turn.display else {}
                    body = {"sender": sender, "message": turn.message}
                    response = await _timed(result, lambda: client.post(path, params=params, json=body, headers=headers))
                    if response is None:
                        break  # a failed turn ends that conversation; the next one starts fresh
                    data = response.json()
                    replies = data["messages"] if isinstance(data, dict) else data
                    turn = conversation.next(replies)

        start = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(concurrency)))
        result.seconds = time.perf_counter() - start
    return result


async def run_parse(
    *, url: str, token: str, concurrency: int, duration: float, max_turns: int, seed: int, timeout: float
) -> PhaseResult:
    result = PhaseResult(name="parse", seconds=0.0)
    texts = all_free_texts(random.Random(seed), 2000)
    deadline = time.perf_counter() + duration
    budget = {"left": max_turns}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:

        async def user(index: int) -> None:
            i = index
            while time.perf_counter() < deadline and budget["left"] > 0:
                budget["left"] -= 1
                text = texts[i % len(texts)]
                i += concurrency
                await _timed(result, lambda: client.post("/model/parse", params={"token": token}, json={"text": text}))

        start = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(concurrency)))
        result.seconds = time.perf_counter() - start
    return result


# --- the machine and its load ------------------------------------------------------------------------


def _cpu_ticks(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _tree(pid: int) -> list[int]:
    """pid and its descendants (uvicorn/sanic workers are children)."""
    pids, children = [pid], {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parts = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    i = 0
    while i < len(pids):
        pids.extend(children.get(pids[i], []))
        i += 1
    return pids


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    return {name: sum(filter(None, (_cpu_ticks(p) for p in _tree(pid)))) for name, pid in pids.items()}


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def machine() -> dict[str, Any]:
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    versions = {}
    for label, python in (("app", REPO / ".venv-app/bin/python"), ("bot", REPO / ".venv-bot/bin/python")):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            versions[label] = subprocess.run([str(python), "-V"], capture_output=True, text=True, timeout=30).stdout.strip()
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1), "cpu": _cpu_model(), "kernel": platform.release(),
        "python": versions,
    }


def _cpu_model() -> str:
    with contextlib.suppress(OSError, StopIteration):
        return next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    return platform.processor() or "?"


def other_load(exclude: set[int]) -> list[str]:
    """The busiest processes that are not ours (a rough picture of the other jobs sharing the machine)."""
    try:
        out = subprocess.run(["ps", "-eo", "pid,pcpu,comm", "--sort=-pcpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    rows = []
    for line in out.splitlines()[1:]:
        pid, pcpu, comm = line.split(None, 2)
        if int(pid) not in exclude and float(pcpu) >= 5:
            rows.append(f"{comm} {pcpu}%")
    return rows[:6]


# --- running a stack of our own ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_stack(var: Path, *, extra_env: dict[str, str], rasa_replicas: int = 1, tracker_wal: bool = False):
    """Action server, Rasa (`rasa_replicas` processes sharing the SQL tracker store; the app routes
    each conversation to one of them) and the app, on free ports."""
    sys.path.insert(0, str(REPO))
    from scripts.stack import Stack, current_model, wait_http

    class BenchStack(Stack):
        def _spawn(self, name, command, env):
            self.__dict__.setdefault("commands", {})[name] = (command, env)
            return super()._spawn(name, command, env)

        def stop(self, *, grace: float = 15) -> None:
            import signal

            for name, process in self.processes.items():  # the extra replicas first
                if name.startswith("rasa-") and process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            super().stop(grace=grace)

    database_url = f"sqlite:///{var / 'legalaid.db'}"
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    app_py = str(REPO / ".venv-app/bin/python")
    subprocess.run([app_py, "-m", "alembic", "-c", "handoff/alembic.ini", "upgrade", "head"], cwd=REPO, env=env,
                   check=True, capture_output=True)
    subprocess.run([app_py, "-m", "handoff.cli", "seed"], cwd=REPO, env=env, check=True, capture_output=True)
    if tracker_wal:
        import sqlite3

        with contextlib.closing(sqlite3.connect(var / "tracker.db")) as db:  # WAL is a property of the file
            db.execute("PRAGMA journal_mode=WAL")
    rasa_port, extra_ports = free_port(), [free_port() for _ in range(rasa_replicas - 1)]
    rasa_urls = ",".join(f"http://127.0.0.1:{port}" for port in [rasa_port, *extra_ports])
    stack = BenchStack(
        rasa_port=rasa_port, actions_port=free_port(), app_port=free_port(), var_dir=var,
        model=current_model(REPO / "var" / "models"), log_dir=var / "logs",
        extra_env={"DATABASE_URL": database_url, "TRACKER_DATABASE_URL": f"sqlite:///{var / 'tracker.db'}",
                   "NOTIFIER": "file", "MAIL_OUTBOX_PATH": str(var / "mail.log"),
                   # The benchmark measures throughput, not the abuse limit (which would answer 429s).
                   "CHAT_RATE_LIMIT": "1000000/minute", "RASA_URL": rasa_urls, **extra_env},
    )
    stack.start(timeout=600)
    try:
        command, rasa_env = stack.commands["rasa"]
        for number, port in enumerate(extra_ports, start=2):
            replica = list(command)
            replica[replica.index("--port") + 1] = str(port)
            process = stack._spawn(f"rasa-{number}", replica, rasa_env)
            wait_http(f"http://127.0.0.1:{port}/status?token={rasa_env['RASA_TOKEN']}", timeout=600, process=process,
                      name=f"rasa replica {number}")
    except BaseException:
        stack.stop()
        raise
    return stack


# --- report ------------------------------------------------------------------------------------------


def median_summary(runs: list[dict]) -> dict[str, Any]:
    keys = ("turns_per_s", "p50_ms", "p95_ms", "p99_ms")
    out = {k: round(statistics.median(r[k] for r in runs), 1) for k in keys}
    out["errors"] = sum(r["errors"] for r in runs)
    out["turns"] = sum(r["turns"] for r in runs)
    out["runs"] = [r["turns_per_s"] for r in runs]
    return out


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"### Run {m['date']}",
        "",
        f"- machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, kernel {m['kernel']}; "
        f"app {m['python'].get('app', '?')}, bot {m['python'].get('bot', '?')}",
        f"- settings: {report['concurrency']} concurrent sessions (conversations of up to {report['conversation_turns']} turns), "
        f"{report['duration']} s per phase, "
        f"{report['repeat']} repeats (median shown)"
        + (f", Rasa replicas: {report['rasa_replicas']}" if report.get("rasa_replicas") else "")
        + (", tracker.db in WAL mode" if report.get("tracker_wal") else "")
        + (f", env {' '.join(report['env'])}" if report.get("env") else "")
        + (f"; {report['notes']}" if report["notes"] else ""),
        f"- machine load: load average {report['load']['before']} before, {report['load']['after']} after; "
        f"whole-machine CPU busy {report['load']['machine_busy_pct']}% during the phases"
        + (f"; other busy processes at the start: {', '.join(report['load']['others']) or 'none'}" if report['load'].get('others') is not None else ""),
        "",
        "| phase | what | turns/s | p50 ms | p95 ms | p99 ms | errors | turns | turns/s per repeat |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    what = {"parse": "Rasa `/model/parse` (NLU only)", "rest": "Rasa REST channel (full turn)", "chat": "app `/api/chat` → Rasa"}
    for name, s in report["median"].items():
        lines.append(
            f"| {name} | {what.get(name, name)} | {s['turns_per_s']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | "
            f"{s['errors']} | {s['turns']} | {', '.join(str(x) for x in s['runs'])} |"
        )
    if report.get("cpu"):
        lines += ["", "CPU seconds per successful turn (median of repeats), by process:", "",
                  "| phase | " + " | ".join(report["cpu_processes"]) + " |",
                  "|---|" + "---:|" * len(report["cpu_processes"])]
        for name, per in report["cpu"].items():
            lines.append(f"| {name} | " + " | ".join(f"{per.get(p, 0):.4f}" for p in report["cpu_processes"]) + " |")
    errors = {name: kinds for name, kinds in report.get("error_kinds", {}).items() if kinds}
    if errors:
        lines += ["", f"Errors by kind: `{json.dumps(errors)}`"]
    return "\n".join(lines) + "\n"


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    stack = None
    tmp = None
    app_url, rasa_url, token = args.app, args.rasa, args.rasa_token
    pids: dict[str, int] = {}
    if args.start_stack:
        tmp = tempfile.TemporaryDirectory(prefix="load-chat-")
        extra = dict(kv.split("=", 1) for kv in args.env)
        print("starting a stack on free ports (Rasa takes a minute or two to load)...", flush=True)
        stack = start_stack(Path(tmp.name), extra_env=extra, rasa_replicas=args.rasa_replicas, tracker_wal=args.tracker_wal)
        app_url = f"http://127.0.0.1:{stack.app_port}"
        rasa_url = f"http://127.0.0.1:{stack.rasa_port}"
        token = stack.env()["RASA_TOKEN"]
        pids = {name: p.pid for name, p in stack.processes.items()}
    elif not token:
        secrets_file = REPO / "var" / "secrets.env"
        if secrets_file.exists():
            for line in secrets_file.read_text().splitlines():
                if line.startswith("RASA_TOKEN="):
                    token = line.split("=", 1)[1].strip()
    for kv in args.pid:
        name, pid = kv.split("=", 1)
        pids[name] = int(pid)

    try:
        # Warm-up: the first calls load lazily initialised parts (not measured).
        # Several senders, so that every Rasa replica gets its share.
        async with httpx.AsyncClient(timeout=120) as client:
            for text in ("hello", "my landlord kept my deposit"):
                await client.post(f"{rasa_url}/model/parse", params={"token": token}, json={"text": text})
                for _ in range(8):
                    await client.post(f"{app_url}/api/chat", json={"sender": f"warmup-{uuid.uuid4().hex[:6]}", "message": text})

        phases = [p for p in args.phases.split(",") if p]
        runs: dict[str, list[dict]] = {p: [] for p in phases}
        cpu: dict[str, list[dict[str, float]]] = {p: [] for p in phases}
        others = other_load(set(sum((_tree(p) for p in pids.values()), [os.getpid()])))
        load_before = os.getloadavg()
        busy0, total0 = machine_cpu()
        for rep in range(args.repeat):
            for phase in phases:
                before = cpu_seconds(pids) if pids else {}
                common = dict(concurrency=args.concurrency, duration=args.duration, max_turns=args.max_turns,
                              seed=args.seed + rep, timeout=args.timeout)
                if phase == "parse":
                    result = await run_parse(url=rasa_url, token=token, **common)
                elif phase == "rest":
                    result = await run_sessions("rest", url=rasa_url, path="/webhooks/rest/webhook", params={},
                                                conversation_turns=args.conversation_turns, **common)
                elif phase == "chat":
                    result = await run_sessions("chat", url=app_url, path="/api/chat", params={},
                                                conversation_turns=args.conversation_turns, **common)
                else:
                    raise SystemExit(f"unknown phase {phase}")
                summary = result.summary()
                runs[phase].append(summary)
                if pids and result.latencies:
                    after = cpu_seconds(pids)
                    cpu[phase].append({k: (after[k] - before.get(k, 0)) / len(result.latencies) for k in after})
                print(json.dumps(summary), flush=True)
                await asyncio.sleep(args.pause)
        busy1, total1 = machine_cpu()
        report = {
            "machine": machine(), "concurrency": args.concurrency, "duration": args.duration, "repeat": args.repeat,
            "notes": args.notes, "rasa_replicas": args.rasa_replicas if args.start_stack else None,
            "tracker_wal": args.tracker_wal, "env": args.env, "conversation_turns": args.conversation_turns,
            "load": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()],
                     "machine_busy_pct": round(100 * (busy1 - busy0) / max(1, total1 - total0), 1), "others": others},
            "median": {p: median_summary(r) for p, r in runs.items()},
            "error_kinds": {p: {k: v for r in rs for k, v in r["error_kinds"].items()} for p, rs in runs.items()},
            "runs": runs,
        }
        if pids:
            report["cpu_processes"] = list(pids)
            report["cpu"] = {p: {k: statistics.median(c[k] for c in cs) for k in pids} for p, cs in cpu.items() if cs}
        return report
    finally:
        if stack is not None:
            stack.stop()
        if tmp is not None:
            tmp.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", default="http://127.0.0.1:8000", help="the app's base URL")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005", help="Rasa's base URL")
    parser.add_argument("--rasa-token", default=os.environ.get("RASA_TOKEN", ""))
    parser.add_argument("--start-stack", action="store_true", help="start a stack of our own on free ports")
    parser.add_argument("--rasa-replicas", type=int, default=1, help="with --start-stack: Rasa processes (the app routes by sender)")
    parser.add_argument("--tracker-wal", action="store_true", help="with --start-stack: tracker.db in WAL mode")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="extra environment for --start-stack")
    parser.add_argument("--pid", action="append", default=[], metavar="NAME=PID", help="processes to account CPU time to")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase (bounded)")
    parser.add_argument("--max-turns", type=int, default=100_000, help="upper bound of turns per phase")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--conversation-turns", type=int, default=12, help="turns after which a conversation ends at the latest")
    parser.add_argument("--phases", default="parse,rest,chat")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between phases")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout (a timeout counts as an error)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--notes", default="", help="free text for the report (e.g. what was changed)")
    parser.add_argument("--json", type=Path, help="write the full report as JSON here")
    parser.add_argument("--markdown", type=Path, help="append the report as markdown to this file")
    args = parser.parse_args()
    if args.duration > 600 or args.repeat > 10 or not 1 <= args.rasa_replicas <= 4:
        parser.error("bounded runs only: --duration <= 600, --repeat <= 10, --rasa-replicas 1..4")
    for url in (args.app, args.rasa):
        if not args.start_stack and httpx.URL(url).host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("load is only ever sent to this machine (127.0.0.1)")
    report = asyncio.run(main_async(args))
    text = markdown(report)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    if args.markdown:
        with args.markdown.open("a") as handle:
            handle.write("\n" + text)
    target_ok = report["median"].get("chat", {}).get("turns_per_s", 0) >= 40 and report["median"].get("chat", {}).get("errors", 1) == 0
    print("target (>= 40 turns/s, 0 errors):", "met" if target_ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
