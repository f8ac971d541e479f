"""Retrain the NLU from reviewed conversations: export -> train -> evaluate -> gate -> promote.

    make retrain          (= .venv-app/bin/python scripts/retrain.py)

1. export   the NLU inbox's reviewed labels to nlu_data/from_logs/ (scripts/export_training_data.py,
            app environment): redacted, without duplicates of the training data or the test sets;
2. train    a candidate model with the bot environment (`rasa train`, same inputs and name
            `model-<hash>.tar.gz` as `make model`; an existing model of that hash is reused);
3. evaluate the candidate and the current model on the same curated test set (nlu_data/test/,
            loaded with Rasa's Agent as scripts/eval_nlu.py does; metrics of scripts/nlu_metrics.py);
4. gate     promote only if macro-F1 does not drop by more than --macro-f1-tolerance (default 0.01,
            env RETRAIN_MACRO_F1_TOLERANCE) and no topic's F1 drops by more than --topic-f1-tolerance
            (default 0.05, env RETRAIN_TOPIC_F1_TOLERANCE);
5. promote  hot-load into the running Rasa (PUT /model), then var/models/current.json and the
            registry (scripts/model_registry.py). A rejected candidate stays in the registry, and
            nlu_data/from_logs/ is put back as it was, so `make model` keeps building the current model.

Progress goes to var/retrain/jobs/<job>.json (stages, states, details; the admin page polls it)
and the full output to var/retrain/jobs/<job>.log. Only one retrain runs at a time.
Exit status: 0 promoted or nothing new to learn, 3 rejected by the gate, 1 failed, 2 already running.

`scripts/retrain.py evaluate --model A.tar.gz [--model B.tar.gz] --out eval.json` is the bot-environment
step of stage 3. Standard library only at import time, Python 3.10 compatible.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

try:
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts import train_bot as _train_bot  # noqa: E402  (stdlib only)
from scripts.model_registry import (  # noqa: E402
    FROM_LOGS_DIR,
    MODELS_DIR,
    VAR,
    RasaServer,
    Registry,
    atomic_write_json,
    now_iso,
    replace_dir_contents,
    tree_hash,
)

BOT_PY = REPO / ".venv-bot" / "bin" / "python"
APP_PY = REPO / ".venv-app" / "bin" / "python"
STATE_DIR = VAR / "retrain"
DEFAULT_CONFIG = REPO / "bot" / "config.yml"
DEFAULT_DOMAIN = REPO / "bot" / "domain.yml"
# The same training data as `make model` (scripts/train_bot.py), without the exported examples (added separately).
DEFAULT_DATA = tuple(REPO / p for p in _train_bot.TRAINING_DATA if p != "nlu_data/from_logs")
DEFAULT_TEST_DATA = (REPO / "nlu_data" / "test",)
DEFAULT_MACRO_F1_TOLERANCE = 0.01
DEFAULT_TOPIC_F1_TOLERANCE = 0.05
# Danger and ordinary-but-alarming messages written for the safety tests, never trained on (nlu_data/safety is
# separate). The rules catch every danger line on their own; the learned `emergency` intent is the second line for
# phrasings the rules miss, so a candidate must not flag fewer danger lines nor raise more false alarms.
DEFAULT_SAFETY_DATA = REPO / "tests" / "data" / "safety"
DEFAULT_SAFETY_TOLERANCE = 0.02
STAGES = (
    ("export", "Export reviewed labels"),
    ("train", "Train candidate model"),
    ("evaluate", "Evaluate candidate and current model"),
    ("gate", "Quality gate"),
    ("promote", "Promote and hot-load"),
)
EXIT_OK, EXIT_FAILED, EXIT_BUSY, EXIT_REJECTED = 0, 1, 2, 3
_EPS = 1e-9


# --- the gate (pure) ----------------------------------------------------------------------------------

@dataclass
class GateResult:
    passed: bool
    reasons: List[str]
    macro_f1: Dict[str, Optional[float]]
    topics: Dict[str, Dict[str, Optional[float]]] = field(default_factory=dict)
    macro_f1_tolerance: float = DEFAULT_MACRO_F1_TOLERANCE
    topic_f1_tolerance: float = DEFAULT_TOPIC_F1_TOLERANCE
    safety: Dict[str, Optional[Dict[str, Any]]] = field(default_factory=dict)

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _topic_f1(summary: Dict[str, Any]) -> Dict[str, float]:
    return {t: float(s["f1"]) for t, s in (summary.get("per_topic") or {}).items() if s.get("support")}


def _safety_reasons(candidate: Optional[Dict[str, Any]], baseline: Optional[Dict[str, Any]], tolerance: float) -> List[str]:
    if not candidate or not baseline:
        return []
    reasons = []
    recall_drop = float(baseline["danger_recall"]) - float(candidate["danger_recall"])
    if recall_drop > tolerance + _EPS:
        reasons.append(f"the learned emergency intent flags fewer danger messages: {baseline['danger_recall']:.4f} -> "
                       f"{candidate['danger_recall']:.4f}, more than the tolerance {tolerance:.4f}")
    alarm_rise = float(candidate["false_alarm_rate"]) - float(baseline["false_alarm_rate"])
    if alarm_rise > tolerance + _EPS:
        reasons.append(f"more false emergency alarms on ordinary messages: {baseline['false_alarm_rate']:.4f} -> "
                       f"{candidate['false_alarm_rate']:.4f}, more than the tolerance {tolerance:.4f}")
    return reasons


def gate(
    candidate: Dict[str, Any],
    baseline: Optional[Dict[str, Any]],
    *,
    macro_f1_tolerance: float = DEFAULT_MACRO_F1_TOLERANCE,
    topic_f1_tolerance: float = DEFAULT_TOPIC_F1_TOLERANCE,
    safety_tolerance: float = DEFAULT_SAFETY_TOLERANCE,
) -> GateResult:
    """Decide whether `candidate` may replace `baseline` (summaries of scripts/nlu_metrics.summarize
    on the same test set). Passes when macro-F1 drops by at most `macro_f1_tolerance` and no topic's
    F1 drops by more than `topic_f1_tolerance`; when both summaries carry `safety` figures, the learned
    emergency recall may not drop, nor the false-alarm rate rise, by more than `safety_tolerance`.
    With no baseline (first model) it passes."""
    if macro_f1_tolerance < 0 or topic_f1_tolerance < 0 or safety_tolerance < 0:
        raise ValueError("tolerances must not be negative")
    cand_macro = float(candidate["macro_f1"])
    if not candidate.get("n"):
        return GateResult(False, ["the candidate was scored on no test items"], {"candidate": cand_macro, "baseline": None,
                          "delta": None}, {}, macro_f1_tolerance, topic_f1_tolerance)
    if baseline is None:
        return GateResult(True, ["no current model to compare with: the first model is promoted"],
                          {"candidate": cand_macro, "baseline": None, "delta": None}, {}, macro_f1_tolerance, topic_f1_tolerance)
    if candidate.get("n") != baseline.get("n"):
        raise ValueError(f"not the same test set: candidate scored {candidate.get('n')} items, baseline {baseline.get('n')}")
    base_macro = float(baseline["macro_f1"])
    reasons: List[str] = []
    macro_delta = cand_macro - base_macro
    if -macro_delta > macro_f1_tolerance + _EPS:
        reasons.append(f"macro-F1 dropped by {-macro_delta:.4f} ({base_macro:.4f} -> {cand_macro:.4f}), "
                       f"more than the tolerance {macro_f1_tolerance:.4f}")
    cand_topics, base_topics = _topic_f1(candidate), _topic_f1(baseline)
    topics: Dict[str, Dict[str, Optional[float]]] = {}
    for topic in sorted(set(cand_topics) | set(base_topics)):
        before, after = base_topics.get(topic, 0.0), cand_topics.get(topic, 0.0)
        delta = after - before
        topics[topic] = {"candidate": after, "baseline": before, "delta": round(delta, 4)}
        if -delta > topic_f1_tolerance + _EPS:
            reasons.append(f"F1 of {topic} dropped by {-delta:.4f} ({before:.4f} -> {after:.4f}), "
                           f"more than the tolerance {topic_f1_tolerance:.4f}")
    reasons += _safety_reasons(candidate.get("safety"), baseline.get("safety"), safety_tolerance)
    passed = not reasons
    if passed:
        reasons.append(f"macro-F1 {base_macro:.4f} -> {cand_macro:.4f} ({macro_delta:+.4f}); no topic dropped by more "
                       f"than {topic_f1_tolerance:.4f}")
    return GateResult(passed, reasons, {"candidate": cand_macro, "baseline": base_macro, "delta": round(macro_delta, 4)},
                      topics, macro_f1_tolerance, topic_f1_tolerance,
                      {"candidate": candidate.get("safety"), "baseline": baseline.get("safety")})


def tolerance_from_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    value = float(raw)
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {raw}")
    return value


# --- the test set ---------------------------------------------------------------------------------------

def read_test_set(paths: Sequence[Path]) -> List[Dict[str, str]]:
    """The curated test set as rows {id, text, gold} (ids: <file stem>-<n>)."""
    from scripts.export_training_data import read_examples  # needs PyYAML (both environments have it)

    rows: List[Dict[str, str]] = []
    for path in paths:
        counters: Dict[str, int] = {}
        for example in read_examples(Path(path)):
            stem = Path(example.source).stem
            counters[stem] = counters.get(stem, 0) + 1
            rows.append({"id": f"{stem}-{counters[stem]}", "text": example.text, "gold": example.intent})
    if not rows:
        raise ValueError(f"no test examples in {', '.join(str(p) for p in paths)}")
    return rows


def hash_test_set(rows: Sequence[Dict[str, str]]) -> str:
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: (r["gold"], r["text"])):
        digest.update(f"{row['gold']}\t{row['text']}\n".encode())
    return digest.hexdigest()[:16]


def compact_metrics(summary: Dict[str, Any], test_hash: str) -> Dict[str, Any]:
    return {
        "test_set_hash": test_hash,
        "n": summary["n"],
        "accuracy": summary["accuracy"],
        "macro_f1": summary["macro_f1"],
        "per_topic_f1": _topic_f1(summary),
        "safety": summary.get("safety"),
    }


def read_safety_set(directory: Optional[Path]) -> Dict[str, List[Dict[str, str]]]:
    """Danger lines (`message<TAB>category`) and ordinary lines of the safety test data, as eval rows."""
    sets: Dict[str, List[Dict[str, str]]] = {}
    if directory is None or not Path(directory).is_dir():
        return sets
    for name, filename in (("danger", "danger_messages.txt"), ("ordinary", "ordinary_messages.txt")):
        path = Path(directory) / filename
        if path.exists():
            lines = [l.split("\t")[0].strip() for l in path.read_text(encoding="utf-8").splitlines()]
            sets[name] = [{"id": f"{name}-{i}", "text": t, "gold": ""} for i, t in enumerate(l for l in lines if l and not l.startswith("#"))]
    return sets


def safety_summary(danger: List[dict], ordinary: List[dict], threshold: float) -> Dict[str, Any]:
    """Learned emergency recall on danger lines; false alarms (any emergency decision) on ordinary lines."""
    return {
        "threshold": threshold,
        "n_danger": len(danger),
        "n_ordinary": len(ordinary),
        "danger_recall": round(sum(p["emergency_confidence"] >= threshold for p in danger) / len(danger), 4) if danger else 0.0,
        "false_alarm_rate": round(sum(p["decision"] == "emergency" for p in ordinary) / len(ordinary), 4) if ordinary else 0.0,
    }


def emergency_threshold_of(config: Path = DEFAULT_CONFIG) -> float:
    """TriageDecision's emergency_threshold in a Rasa config, or the component's own default when the config
    leaves it out (bot environment: needs PyYAML)."""
    import yaml

    from bot.policy.decision import DecisionConfig

    for component in (yaml.safe_load(Path(config).read_text()) or {}).get("pipeline") or []:
        if str(component.get("name", "")).endswith("TriageDecision") and "emergency_threshold" in component:
            return float(component["emergency_threshold"])
    return DecisionConfig().emergency_threshold


def evaluate_models(models: Sequence[Path], test_paths: Sequence[Path], safety_dir: Optional[Path] = DEFAULT_SAFETY_DATA,
                    emergency_threshold: Optional[float] = None) -> Dict[str, Any]:
    """Bot environment: every model on the same test rows, with eval_nlu's prediction and nlu_metrics' summary
    (plus, when the safety data exists, the learned emergency intent's figures)."""
    import asyncio

    from bot.policy.decision import TOPICS
    from scripts.eval_nlu import predict
    from scripts.nlu_metrics import summarize

    rows = read_test_set(test_paths)
    safety = read_safety_set(safety_dir)
    if emergency_threshold is None:
        emergency_threshold = emergency_threshold_of()
    result: Dict[str, Any] = {"test_set_hash": hash_test_set(rows), "n_rows": len(rows), "models": {}}
    for model in models:
        started = time.monotonic()
        predictions = asyncio.run(predict(rows, Path(model)))
        summary = summarize(predictions, labels=list(TOPICS))
        if safety:
            summary["safety"] = safety_summary(asyncio.run(predict(safety.get("danger", []), Path(model))),
                                               asyncio.run(predict(safety.get("ordinary", []), Path(model))),
                                               emergency_threshold)
        summary["seconds"] = round(time.monotonic() - started, 1)
        result["models"][Path(model).name] = summary
        print(f"evaluated {Path(model).name}: macro-F1 {summary['macro_f1']:.4f} accuracy {summary['accuracy']:.4f} "
              f"n={summary['n']} ({summary['seconds']}s)", flush=True)
    return result


# --- job status file -----------------------------------------------------------------------------------

def new_job_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]


class Job:
    """var/retrain/jobs/<id>.json (progress, read by the admin page) and <id>.log (full output)."""

    def __init__(self, state_dir: Path, job_id: Optional[str] = None, *, by: str = "cli"):
        self.state_dir = Path(state_dir)
        self.job_id = job_id or new_job_id()
        self.dir = self.state_dir / "jobs"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / f"{self.job_id}.json"
        self.log_path = self.dir / f"{self.job_id}.log"
        self.work_dir = self.dir / self.job_id
        existing = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.data: Dict[str, Any] = {
            "job_id": self.job_id,
            "state": "queued",
            "by": by,
            "created_at": now_iso(),
            "stages": [{"name": n, "label": label, "state": "pending"} for n, label in STAGES],
            **existing,
        }
        self.data.update({"pid": os.getpid(), "log": self.log_path.name})
        self.save()
        atomic_write_json(self.state_dir / "latest.json", {"job_id": self.job_id})

    def save(self) -> None:
        self.data["updated_at"] = now_iso()
        atomic_write_json(self.path, self.data)

    def log(self, message: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {message}"
        print(line, flush=True)
        with self.log_path.open("a") as handle:
            handle.write(line + "\n")

    def _stage(self, name: str) -> Dict[str, Any]:
        return next(s for s in self.data["stages"] if s["name"] == name)

    def set(self, **values: Any) -> None:
        self.data.update(values)
        self.save()

    def stage_detail(self, name: str, detail: str) -> None:
        self._stage(name)["detail"] = detail
        self.save()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[Dict[str, Any]]:
        stage = self._stage(name)
        stage.update({"state": "running", "started_at": now_iso()})
        self.data.update({"state": "running", "stage": name, "started_at": self.data.get("started_at") or now_iso()})
        self.save()
        self.log(f"== {stage['label']}")
        try:
            yield stage
        except BaseException as exc:
            stage.update({"state": "failed", "finished_at": now_iso()})
            stage.setdefault("detail", str(exc)[:500])
            self.save()
            raise
        stage.update({"state": "done", "finished_at": now_iso()})
        self.save()

    def skip_remaining(self, detail: str = "") -> None:
        for stage in self.data["stages"]:
            if stage["state"] == "pending":
                stage["state"] = "skipped"
                if detail:
                    stage["detail"] = detail
        self.save()

    def finish(self, state: str, message: str) -> None:
        self.skip_remaining()
        self.data.update({"state": state, "message": message, "finished_at": now_iso()})
        self.save()
        self.log(f"== {state}: {message}")


def read_job(state_dir: Path, job_id: Optional[str] = None) -> Optional[Dict[str, Any]]:
    state_dir = Path(state_dir)
    if job_id is None:
        latest = state_dir / "latest.json"
        if not latest.exists():
            return None
        job_id = json.loads(latest.read_text())["job_id"]
    path = state_dir / "jobs" / f"{job_id}.json"
    return json.loads(path.read_text()) if path.exists() else None


@contextlib.contextmanager
def exclusive(state_dir: Path) -> Iterator[bool]:
    """True when this process got the retrain lock (released when the block ends or the process dies)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "retrain.lock", "a+") as handle:
        if fcntl is None:
            yield True
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_running(state_dir: Path) -> bool:
    with exclusive(Path(state_dir)) as got:
        return not got


# --- the pipeline ----------------------------------------------------------------------------------------

@dataclass
class Options:
    config: Path = DEFAULT_CONFIG
    domain: Path = DEFAULT_DOMAIN
    data: Sequence[Path] = DEFAULT_DATA
    from_logs_dir: Path = FROM_LOGS_DIR
    models_dir: Path = MODELS_DIR
    state_dir: Path = STATE_DIR
    test_data: Sequence[Path] = DEFAULT_TEST_DATA
    labels_jsonl: Optional[Path] = None
    database_url: Optional[str] = None
    holdout: Sequence[Path] = ()
    holdout_only: bool = False
    skip_export: bool = False
    macro_f1_tolerance: float = DEFAULT_MACRO_F1_TOLERANCE
    topic_f1_tolerance: float = DEFAULT_TOPIC_F1_TOLERANCE
    promote: bool = True
    reload: bool = True
    allow_rolled_back: bool = False
    job_id: Optional[str] = None
    by: str = "cli"
    bot_python: Path = BOT_PY
    app_python: Path = APP_PY
    rasa: Optional[RasaServer] = None  # default: RasaServer.from_env()

    def uses_default_inputs(self) -> bool:
        return (
            Path(self.config).resolve().parent == (REPO / "bot").resolve()
            and Path(self.domain).resolve() == DEFAULT_DOMAIN.resolve()
            and [Path(p).resolve() for p in self.data] == [p.resolve() for p in DEFAULT_DATA]
            and Path(self.from_logs_dir).resolve() == FROM_LOGS_DIR.resolve()
        )


def _rel(path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    return str(absolute.relative_to(REPO)) if absolute.is_relative_to(REPO) else str(absolute)


def _mtime_iso(path: Path) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).replace(microsecond=0).isoformat()


def candidate_hash(options: Options) -> str:
    """`make model`'s hash for the default inputs (so a promoted model is what `make model` expects);
    a hash of config, domain and data for any other inputs (tests, experiments)."""
    if options.uses_default_inputs():
        return _train_bot.inputs_hash(_rel(options.config))
    paths = [Path(options.config), Path(options.domain), *map(Path, options.data), Path(options.from_logs_dir)]
    return tree_hash(paths, root=REPO)


def training_data_paths(options: Options) -> List[Path]:
    paths = [Path(p) for p in options.data if Path(p).exists()]
    if Path(options.from_logs_dir).is_dir() and any(Path(options.from_logs_dir).glob("*.yml")):
        paths.append(Path(options.from_logs_dir))
    return paths


def _shown(command: List[str]) -> str:
    """The command as logged: repository paths made relative, a database URL (may hold a password) hidden."""
    shown = []
    for i, part in enumerate(command):
        if i > 0 and command[i - 1] == "--database-url":
            part = "***"
        shown.append(_rel(Path(part)) if part.startswith(str(REPO)) else part)
    return " ".join(shown)


def _run(job: Job, command: List[str], *, env: Optional[Dict[str, str]] = None) -> None:
    job.log("$ " + _shown(command))
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1", **(env or {})}
    with job.log_path.open("a") as log:
        completed = subprocess.run(command, cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    if completed.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} {' '.join(command[1:3])} exited with {completed.returncode} "
                           f"(see {job.log_path.name})")


def _python_for_export(options: Options) -> Path:
    if options.labels_jsonl is not None:
        return Path(sys.executable)
    return Path(options.app_python) if Path(options.app_python).exists() else Path(sys.executable)


def run(options: Options) -> int:
    state_dir = Path(options.state_dir)
    with exclusive(state_dir) as got_lock:
        job = Job(state_dir, options.job_id, by=options.by)
        if not got_lock:
            job.finish("failed", "another retrain is running; try again when it has finished")
            return EXIT_BUSY
        try:
            return _pipeline(options, job)
        except Exception as exc:  # noqa: BLE001 - every failure ends the job visibly
            job.log(traceback.format_exc())
            job.finish("failed", str(exc)[:1000])
            return EXIT_FAILED


def _pipeline(options: Options, job: Job) -> int:
    if not Path(options.bot_python).exists():
        raise RuntimeError(f"the bot environment is not available here ({_rel(options.bot_python)} is missing): "
                           "run `make envs`, or retrain where the bot environment is installed")
    registry = Registry(options.models_dir, from_logs_dir=options.from_logs_dir)
    registry.register_current()
    from_logs = Path(options.from_logs_dir)
    backup = job.work_dir / "from_logs.before"
    job.work_dir.mkdir(parents=True, exist_ok=True)
    if backup.exists():
        shutil.rmtree(backup)
    backup.mkdir()
    if from_logs.is_dir():
        for path in from_logs.glob("*.yml"):
            shutil.copy2(path, backup / path.name)

    def restore_from_logs(reason: str) -> None:
        replace_dir_contents(from_logs, backup)
        job.log(f"{from_logs.name}/ restored as it was before this run ({reason})")

    try:
        # 1. export
        with job.stage("export") as stage:
            if options.skip_export:
                stage["detail"] = f"skipped (--skip-export): {from_logs.name}/ used as it is"
            else:
                report_path = job.work_dir / "export.json"
                command = [str(_python_for_export(options)), str(REPO / "scripts" / "export_training_data.py"),
                           "--out", str(from_logs), "--report", str(report_path)]
                if options.labels_jsonl is not None:
                    command += ["--labels-jsonl", str(options.labels_jsonl)]
                elif options.database_url:
                    command += ["--database-url", options.database_url]
                for path in options.data:  # de-duplicate against what this model trains on
                    command += ["--training", str(path)]
                for path in [*options.test_data, *options.holdout]:  # the test set never leaks into training
                    command += ["--holdout", str(path)]
                if options.holdout_only:
                    command.append("--holdout-only")
                command += ["--domain", str(options.domain)]
                _run(job, command)
                report = json.loads(report_path.read_text())
                job.set(export=report)
                stage["detail"] = (f"{report['exported']} examples from {report['considered']} reviewed messages"
                                   + (f"; skipped {sum(report['skipped'].values())}" if report["skipped"] else ""))

        # 2. train
        current = registry.current_model()
        current_path = registry.model_path(current) if current else None
        if current_path is not None and not current_path.exists():
            job.log(f"current.json names {current}, but the file is missing: no baseline")
            current, current_path = None, None
        with job.stage("train") as stage:
            digest = candidate_hash(options)
            name = f"model-{digest}"
            candidate = registry.model_path(name)
            job.set(candidate=candidate.name, baseline=current)
            if current == candidate.name:
                stage["detail"] = f"inputs unchanged: {candidate.name} is already the current model"
                job.finish("up_to_date", f"nothing new to learn: {candidate.name} is already the current model")
                return EXIT_OK
            if candidate.exists():
                stage["detail"] = f"{candidate.name} already trained (same inputs): reused"
                train_seconds = None
            else:
                started = time.monotonic()
                command = [str(options.bot_python), "-m", "rasa", "train", "--config", str(options.config),
                           "--domain", str(options.domain), "--data", *map(str, training_data_paths(options)),
                           "--out", str(options.models_dir), "--fixed-model-name", name]
                _run(job, command)
                if not candidate.exists():
                    raise RuntimeError(f"rasa train finished but {candidate.name} was not written")
                train_seconds = round(time.monotonic() - started, 1)
                stage["detail"] = f"trained {candidate.name} in {train_seconds:.0f}s"
            registry.snapshot_training_data(candidate.name, from_logs)
            registry.upsert({
                "model": candidate.name,
                "inputs_hash": digest,
                "data_hash": tree_hash(training_data_paths(options), root=REPO),
                "config": _rel(options.config),
                "trained_at": (registry.get(candidate.name) or {}).get("trained_at") or _mtime_iso(candidate),
                "train_seconds": train_seconds,
                "source": "retrain",
                "job_id": job.job_id,
                "from_logs_examples": (job.data.get("export") or {}).get("exported"),
            })

        # 3. evaluate
        with job.stage("evaluate") as stage:
            eval_path = job.work_dir / "evaluation.json"
            command = [str(options.bot_python), str(REPO / "scripts" / "retrain.py"), "evaluate", "--out", str(eval_path),
                       "--model", str(candidate)]
            if current_path is not None:
                command += ["--model", str(current_path)]
            for path in options.test_data:
                command += ["--test-data", str(path)]
            _run(job, command)
            evaluation = json.loads(eval_path.read_text())
            cand_summary = evaluation["models"][candidate.name]
            base_summary = evaluation["models"].get(current) if current else None
            test_hash = evaluation["test_set_hash"]
            stage["detail"] = (f"on {cand_summary['n']} test items: candidate macro-F1 {cand_summary['macro_f1']:.4f}"
                               + (f", current {base_summary['macro_f1']:.4f}" if base_summary else ", no current model"))
            if base_summary is not None and current:
                registry.upsert({"model": current, "metrics": compact_metrics(base_summary, test_hash)})

        # 4. gate
        with job.stage("gate") as stage:
            result = gate(cand_summary, base_summary, macro_f1_tolerance=options.macro_f1_tolerance,
                          topic_f1_tolerance=options.topic_f1_tolerance)
            entry = registry.get(candidate.name) or {}
            if result.passed and entry.get("rolled_back_at") and not options.allow_rolled_back:
                result.passed = False
                result.reasons = [f"{candidate.name} was rolled back on {entry['rolled_back_at']}; change the labels or "
                                  "data, or pass --allow-rolled-back"]
            registry.upsert({"model": candidate.name, "metrics": compact_metrics(cand_summary, test_hash),
                             "gate": {**result.as_dict(), "baseline": current, "job_id": job.job_id}})
            job.set(gate={**result.as_dict(), "baseline": current})
            stage["detail"] = ("passed: " if result.passed else "rejected: ") + "; ".join(result.reasons)
            for reason in result.reasons:
                job.log(("  pass: " if result.passed else "  FAIL: ") + reason)

        if not result.passed:
            restore_from_logs("candidate rejected")
            job.finish("rejected", f"{candidate.name} not promoted: " + "; ".join(result.reasons))
            return EXIT_REJECTED

        # 5. promote
        if not options.promote:
            restore_from_logs("--no-promote")
            job.finish("passed", f"{candidate.name} passed the gate; not promoted (--no-promote)")
            return EXIT_OK
        with job.stage("promote") as stage:
            rasa = None if not options.reload else (options.rasa or RasaServer.from_env(Path(options.models_dir).parent))
            outcome = registry.promote(candidate.name, action="promote", by=options.by, rasa=rasa,
                                       reason=f"retrain job {job.job_id}")
            stage["detail"] = "; ".join([f"current model: {candidate.name}"] + outcome["notes"])
        job.finish("promoted", f"{candidate.name} promoted (was {current or 'none'})")
        return EXIT_OK
    except BaseException:
        with contextlib.suppress(Exception):
            restore_from_logs("the run failed")
        raise


# --- command line -----------------------------------------------------------------------------------------

def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["evaluate"]:
        parser = argparse.ArgumentParser(prog="retrain.py evaluate", description="bot environment: score models on the test set")
        parser.add_argument("--model", type=Path, action="append", required=True)
        parser.add_argument("--test-data", type=Path, action="append")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--safety-data", type=Path, default=DEFAULT_SAFETY_DATA)
        parser.add_argument("--emergency-threshold", type=float, default=None, help="default: bot/config.yml's")
        args = parser.parse_args(argv[1:])
        import logging

        logging.basicConfig(level=logging.WARNING)
        with contextlib.suppress(ImportError):  # Rasa's structlog would print every parsed text at debug level
            from rasa.utils.log_utils import configure_structlog

            configure_structlog(logging.WARNING)
        result = evaluate_models(args.model, args.test_data or list(DEFAULT_TEST_DATA), args.safety_data,
                                 args.emergency_threshold)
        atomic_write_json(args.out, result)
        return 0

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--domain", type=Path, default=DEFAULT_DOMAIN)
    parser.add_argument("--data", type=Path, action="append", help="training data (repeatable; default: make model's)")
    parser.add_argument("--from-logs-dir", type=Path, default=FROM_LOGS_DIR)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--state-dir", type=Path, default=STATE_DIR)
    parser.add_argument("--test-data", type=Path, action="append", help="curated test set (repeatable; default nlu_data/test)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--database-url", help="app database with the labels (default: DATABASE_URL / settings)")
    source.add_argument("--labels-jsonl", type=Path, help="labels from a JSON-lines file instead of the database")
    source.add_argument("--skip-export", action="store_true", help="train on nlu_data/from_logs as it is")
    parser.add_argument("--holdout", type=Path, action="append", default=[], help="extra held-out data kept out of training")
    parser.add_argument("--holdout-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--macro-f1-tolerance", type=float, default=None)
    parser.add_argument("--topic-f1-tolerance", type=float, default=None)
    parser.add_argument("--no-promote", action="store_true", help="evaluate and gate only")
    parser.add_argument("--no-reload", action="store_true", help="do not hot-load into the running Rasa")
    parser.add_argument("--allow-rolled-back", action="store_true", help="a model that was rolled back may be promoted again")
    parser.add_argument("--job-id", help=argparse.SUPPRESS)
    parser.add_argument("--by", default=os.environ.get("RETRAIN_ACTOR") or os.environ.get("USER") or "cli")
    parser.add_argument("--status", action="store_true", help="print the latest job's status and exit")
    args = parser.parse_args(argv)

    if args.status:
        job = read_job(args.state_dir)
        print(json.dumps(job, indent=2) if job else "no retrain has run yet")
        return 0
    try:
        macro = args.macro_f1_tolerance if args.macro_f1_tolerance is not None else tolerance_from_env(
            "RETRAIN_MACRO_F1_TOLERANCE", DEFAULT_MACRO_F1_TOLERANCE)
        topic = args.topic_f1_tolerance if args.topic_f1_tolerance is not None else tolerance_from_env(
            "RETRAIN_TOPIC_F1_TOLERANCE", DEFAULT_TOPIC_F1_TOLERANCE)
    except ValueError as exc:
        parser.error(str(exc))
    if macro < 0 or topic < 0:
        parser.error("tolerances must not be negative")
    options = Options(
        config=args.config, domain=args.domain, data=args.data or DEFAULT_DATA, from_logs_dir=args.from_logs_dir,
        models_dir=args.models_dir, state_dir=args.state_dir, test_data=args.test_data or DEFAULT_TEST_DATA,
        labels_jsonl=args.labels_jsonl, database_url=args.database_url, holdout=args.holdout,
        holdout_only=args.holdout_only, skip_export=args.skip_export, macro_f1_tolerance=macro,
        topic_f1_tolerance=topic, promote=not args.no_promote, reload=not args.no_reload,
        allow_rolled_back=args.allow_rolled_back, job_id=args.job_id, by=args.by,
    )
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
