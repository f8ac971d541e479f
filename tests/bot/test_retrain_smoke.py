"""Retraining for real, with a tiny pipeline (tests/bot/data/tiny_config.yml) on a handful of examples:

1. the first retrain trains a model and promotes it (no model to compare with);
2. a real Rasa server (`rasa run --enable-api --auth-token ...`) serves that model;
3. reviewed labels are exported (redacted, duplicates and test-set items dropped), a candidate is
   trained, both models are scored on the same test set, the gate passes, and the candidate is
   hot-loaded into the running server while it keeps answering (no failed request);
4. poisoned labels give a worse candidate: the gate rejects it (`make retrain` exits 3), the
   exported data is put back, the server keeps the model;
5. `model_registry.py rollback` goes back to the first model and hot-loads it.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from scripts.model_registry import RasaServer, Registry  # noqa: E402
from scripts.model_registry import main as registry_main  # noqa: E402
from scripts.retrain import EXIT_OK, Options, read_job, run  # noqa: E402
from scripts.stack import stop_process  # noqa: E402

DATA = REPO / "tests" / "bot" / "data"
SMOKE = DATA / "retrain_smoke"
TOKEN = "smoke-test-rasa-token"

GOOD_LABELS = [
    ("my landlord is threatening to change the locks if i dont pay by friday", "housing", "relabelled"),
    ("Hi, I'm Dana Whitfield, the apartment at 12 Oak Street has had no hot water for a month", "housing", "confirmed"),
    ("the rental company says i owe for carpet damage that was there before", "housing", "confirmed"),
    ("my employer is paying me less than minimum wage", "employment", "confirmed"),
    ("i was let go the day after i told my boss i was pregnant", "employment", "relabelled"),
    ("the restaurant keeps my tips and calls it a service fee", "employment", "confirmed"),
    ("i got a ticket for driving with a broken tail light", "traffic", "confirmed"),
    ("they suspended my license because i missed a court date for a speeding ticket", "traffic", "relabelled"),
    ("whats the weather tomorrow", "out_of_scope", "out_of_scope"),
    ("my boss has not paid my overtime", "employment", "confirmed"),  # = training data: dropped
    ("how can I contest a parking ticket?", "traffic", "confirmed"),  # = a test item: never trained on
    ("no idea", None, "skipped"),
]
POISON_LABELS = [(text, "housing", "relabelled") for text in (
    "my license got taken away after too many speeding tickets", "cop wrote me a ticket for an illegal u turn",
    "ticket for not stopping at the stop sign, how do i contest", "my drivers license is suspended what do i do",
    "pulled over for speeding and got a big fine", "red light camera ticket came in the mail",
    "the officer said i was driving recklessly", "parking ticket on my windshield even though i paid the meter",
    "got caught doing 20 over the speed limit", "traffic court date for my speeding ticket",
    "they impounded my car after the traffic stop", "can i fight a ticket for running a red light",
    "i have too many points on my driving record", "what happens if i ignore a traffic ticket",
)]


def write_labels(path: Path, labels) -> Path:
    with path.open("w") as handle:
        for i, (text, label, status) in enumerate(labels, start=1):
            handle.write(json.dumps({"event_id": i, "text": text, "label": label, "status": status}) + "\n")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RasaProcess:
    """A real `rasa run --enable-api` on a free port, serving `model`."""

    def __init__(self, model: Path, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(workdir / "rasa-server.log", "wb")
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--enable-api", "--auth-token", TOKEN, "--interface", "127.0.0.1",
             "--port", str(self.port), "--model", str(model)],
            cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "rasa run exited; see rasa-server.log"
            if RasaServer(self.url, TOKEN).status():
                return
            time.sleep(1)
        raise AssertionError("rasa run did not start in time")

    def parse(self, text: str) -> dict:
        request = urllib.request.Request(f"{self.url}/model/parse?token={TOKEN}", data=json.dumps({"text": text}).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        stop_process(self.process, grace=30)
        self.log.close()


class Hammer:
    """Parses a message again and again in the background; records every failure."""

    def __init__(self, rasa: RasaProcess):
        self.rasa = rasa
        self.ok = 0
        self.failures: list[str] = []
        self.answered: list[tuple[float, float]] = []  # (sent, answered) of each successful request
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                parsed = self.rasa.parse("i got a speeding ticket")
                assert parsed["intent"]["name"]
                self.ok += 1
                self.answered.append((started, time.monotonic()))
            except (urllib.error.URLError, OSError, AssertionError, KeyError, ValueError) as exc:
                self.failures.append(repr(exc))
            # Almost back to back: the tiny model loads in ~15 ms, so a longer pause could let the whole
            # load slip between two requests and leave "no downtime" unproven.
            time.sleep(0.002)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join(timeout=150)


class TimedRasaServer(RasaServer):
    """RasaServer that remembers when PUT /model started and ended."""

    windows: list

    def load_model(self, model_path):
        started = time.monotonic()
        try:
            return super().load_model(model_path)
        finally:
            self.windows.append((started, time.monotonic()))


@pytest.fixture
def world(tmp_path):
    return {
        "models": tmp_path / "models",
        "state": tmp_path / "state",
        "from_logs": tmp_path / "from_logs",
        "tmp": tmp_path,
    }


def options(world, labels: Path, **overrides) -> Options:
    values = dict(
        config=DATA / "tiny_config.yml", domain=SMOKE / "domain.yml", data=[SMOKE / "nlu.yml"],
        from_logs_dir=world["from_logs"], models_dir=world["models"], state_dir=world["state"],
        test_data=[SMOKE / "test.yml"], labels_jsonl=labels, holdout_only=True, by="smoke-test",
    )
    values.update(overrides)
    return Options(**values)


def cli_args(world, labels: Path) -> list[str]:
    return [
        "--config", str(DATA / "tiny_config.yml"), "--domain", str(SMOKE / "domain.yml"), "--data", str(SMOKE / "nlu.yml"),
        "--from-logs-dir", str(world["from_logs"]), "--models-dir", str(world["models"]), "--state-dir",
        str(world["state"]), "--test-data", str(SMOKE / "test.yml"), "--labels-jsonl", str(labels), "--holdout-only",
    ]


def test_retrain_gate_promote_hot_load_reject_and_rollback(world):
    registry = Registry(world["models"], from_logs_dir=world["from_logs"])

    # 1. First model: nothing reviewed yet, no current model -> promoted.
    started = time.monotonic()
    assert run(options(world, write_labels(world["tmp"] / "none.jsonl", []), reload=False)) == EXIT_OK
    first_run_seconds = time.monotonic() - started
    first = registry.current_model()
    job = read_job(world["state"])
    assert job["state"] == "promoted" and job["baseline"] is None
    assert [s["state"] for s in job["stages"]] == ["done"] * 5
    assert registry.get(first)["metrics"]["n"] == 12
    assert not world["from_logs"].exists()

    # 2. A real Rasa server serves it.
    rasa = RasaProcess(world["models"] / first, world["tmp"])
    try:
        rasa.wait_ready()
        assert RasaServer(rasa.url, TOKEN).status()["model_file"].endswith(first)

        # 3. Reviewed labels -> candidate -> gate passes -> hot-loaded while the server keeps answering.
        good = write_labels(world["tmp"] / "good.jsonl", GOOD_LABELS)
        timed = TimedRasaServer(rasa.url, TOKEN)
        timed.windows = []
        with Hammer(rasa) as hammer:
            code = run(options(world, good, rasa=timed))
            time.sleep(0.5)
        assert code == EXIT_OK, read_job(world["state"])
        second = registry.current_model()
        assert second != first
        # No downtime: every request succeeded, including those sent while the new model was loading.
        assert hammer.failures == [] and hammer.ok > 0
        [(load_start, load_end)] = timed.windows
        during = [a for a in hammer.answered if a[0] < load_end and a[1] > load_start]
        assert during, (load_start, load_end, hammer.answered[-5:])
        status = RasaServer(rasa.url, TOKEN).status()
        assert Path(status["model_file"]).name == second
        job = read_job(world["state"])
        assert (job["state"], job["baseline"], job["candidate"]) == ("promoted", first, second)
        assert job["gate"]["passed"] and job["gate"]["macro_f1"]["baseline"] is not None
        assert "hot-loaded" in job["stages"][-1]["detail"]
        assert job["export"]["exported"] == 9
        assert job["export"]["skipped"] == {"test_set_exact_duplicate": 1, "training_exact_duplicate": 1}
        exported = sorted(p.name for p in world["from_logs"].glob("*.yml"))
        assert exported == ["employment.yml", "housing.yml", "out_of_scope.yml", "traffic.yml"]
        housing = (world["from_logs"] / "housing.yml").read_text()
        assert "I'm <NAME>, the apartment at <ADDRESS> has had no hot water" in housing and "Whitfield" not in housing
        assert "contest a parking ticket" not in (world["from_logs"] / "traffic.yml").read_text()
        exported_before = {p.name: p.read_text() for p in world["from_logs"].glob("*.yml")}

        # 4. Poisoned labels -> worse candidate -> rejected (exit 3 from the command line); nothing changes.
        poison = write_labels(world["tmp"] / "poison.jsonl", POISON_LABELS)
        env = {**os.environ, "RASA_URL": rasa.url, "RASA_TOKEN": TOKEN, "PYTHONPATH": str(REPO)}
        completed = subprocess.run([sys.executable, str(REPO / "scripts" / "retrain.py"), *cli_args(world, poison)],
                                   cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
        assert completed.returncode == 3, completed.stdout[-3000:] + completed.stderr[-3000:]
        assert "FAIL: " in completed.stdout
        job = read_job(world["state"])
        assert job["state"] == "rejected" and not job["gate"]["passed"]
        rejected = job["candidate"]
        assert registry.current_model() == second
        assert Path(RasaServer(rasa.url, TOKEN).status()["model_file"]).name == second
        assert {p.name: p.read_text() for p in world["from_logs"].glob("*.yml")} == exported_before
        entry = registry.get(rejected)
        assert entry["promoted"] is False and entry["gate"]["passed"] is False and entry["metrics"]["macro_f1"] < 1

        # 5. Roll back to the first model with one command; the running server loads it.
        os.environ["RASA_URL"], os.environ["RASA_TOKEN"] = rasa.url, TOKEN
        try:
            assert registry_main(["--models-dir", str(world["models"]), "--from-logs-dir", str(world["from_logs"]),
                                  "rollback"]) == 0
        finally:
            del os.environ["RASA_URL"], os.environ["RASA_TOKEN"]
        assert registry.current_model() == first
        assert Path(RasaServer(rasa.url, TOKEN).status()["model_file"]).name == first
        assert rasa.parse("my boss did not pay me")["intent"]["name"] == "employment"
        assert not world["from_logs"].exists()  # the first model had no exported examples
    finally:
        rasa.stop()

    # The registry kept every model, with data hash, metrics, date and promotion.
    entries = {e["model"]: e for e in registry.entries()}
    assert set(entries) == {first, second, rejected}
    for entry in entries.values():
        assert entry["data_hash"] and entry["trained_at"] and "macro_f1" in entry["metrics"]
    assert [entries[m]["promoted"] for m in (first, second, rejected)] == [True, True, False]
    assert [e["action"] for e in registry.load()["events"]] == ["promote", "promote", "rollback"]
    assert first_run_seconds < 300
    assert all(e["train_seconds"] is None or e["train_seconds"] < 120 for e in entries.values())
