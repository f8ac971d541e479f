"""scripts/retrain.py paths that need no training: nothing new to learn, failures, the lock, the log."""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from scripts.retrain import (  # noqa: E402
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_OK,
    Options,
    _shown,
    candidate_hash,
    exclusive,
    read_job,
    read_test_set,
    run,
    hash_test_set,
)

DATA = REPO / "tests" / "bot" / "data"
SMOKE = DATA / "retrain_smoke"


def options(tmp_path: Path, **overrides) -> Options:
    labels = tmp_path / "labels.jsonl"
    if not labels.exists():
        labels.write_text("")
    values = dict(
        config=DATA / "tiny_config.yml", domain=SMOKE / "domain.yml", data=[SMOKE / "nlu.yml"],
        from_logs_dir=tmp_path / "from_logs", models_dir=tmp_path / "models", state_dir=tmp_path / "state",
        test_data=[SMOKE / "test.yml"], labels_jsonl=labels, holdout_only=True, reload=False,
    )
    values.update(overrides)
    return Options(**values)


def test_nothing_new_to_learn_trains_nothing(tmp_path):
    opts = options(tmp_path)
    name = f"model-{candidate_hash(opts)}.tar.gz"
    opts.models_dir.mkdir()
    (opts.models_dir / name).write_bytes(b"x")
    (opts.models_dir / "current.json").write_text(json.dumps({"hash": name[6:22], "model": name, "trained_at": 0}))
    assert run(opts) == EXIT_OK
    job = read_job(opts.state_dir)
    assert job["state"] == "up_to_date"
    assert [s["state"] for s in job["stages"]] == ["done", "done", "skipped", "skipped", "skipped"]
    assert "nothing new to learn" in job["message"]


def test_missing_bot_environment_fails_clearly_and_changes_nothing(tmp_path):
    opts = options(tmp_path, bot_python=tmp_path / "no-such-venv" / "python")
    opts.from_logs_dir.mkdir()
    (opts.from_logs_dir / "housing.yml").write_text("kept\n")
    assert run(opts) == EXIT_FAILED
    job = read_job(opts.state_dir)
    assert job["state"] == "failed" and "bot environment is not available" in job["message"]
    assert (opts.from_logs_dir / "housing.yml").read_text() == "kept\n"


def test_a_failing_stage_restores_the_exported_data(tmp_path):
    opts = options(tmp_path, labels_jsonl=tmp_path / "missing.jsonl")  # the export cannot read its input
    opts.from_logs_dir.mkdir()
    (opts.from_logs_dir / "traffic.yml").write_text("before\n")
    assert run(opts) == EXIT_FAILED
    job = read_job(opts.state_dir)
    assert job["state"] == "failed"
    assert [s["state"] for s in job["stages"]][:2] == ["failed", "skipped"]
    assert "exited with" in job["message"]
    assert sorted(p.name for p in opts.from_logs_dir.iterdir()) == ["traffic.yml"]
    assert (opts.from_logs_dir / "traffic.yml").read_text() == "before\n"
    assert "Traceback" in (opts.state_dir / "jobs" / f"{job['job_id']}.log").read_text() or job["message"]


def test_only_one_retrain_runs_at_a_time(tmp_path):
    opts = options(tmp_path)
    with exclusive(opts.state_dir) as got:
        assert got
        assert run(opts) == EXIT_BUSY
    job = read_job(opts.state_dir)
    assert job["state"] == "failed" and "another retrain is running" in job["message"]


def test_a_database_url_is_never_logged():
    shown = _shown([str(REPO / ".venv-app/bin/python"), str(REPO / "scripts/export_training_data.py"),
                    "--database-url", "postgresql+psycopg://legalaid:s3cret@db/legalaid", "--out", "/tmp/x"])
    assert shown == ".venv-app/bin/python scripts/export_training_data.py --database-url *** --out /tmp/x"


def test_the_curated_test_set_is_read_from_rasa_yaml():
    rows = read_test_set([REPO / "nlu_data" / "test"])
    assert len(rows) >= 320
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["gold"] for r in rows} == {
        "benefits", "business", "consumer", "courts", "crime", "divorce", "domestic_violence", "education",
        "employment", "estates", "family", "health", "housing", "immigration", "torts", "traffic"}
    assert rows[0]["id"] == "benefits-1"
    assert hash_test_set(rows) == hash_test_set(list(reversed(rows)))


def test_default_training_data_is_what_make_model_trains_on():
    from scripts import train_bot
    from scripts.retrain import DEFAULT_DATA

    expected = [REPO / p for p in train_bot.TRAINING_DATA if p != "nlu_data/from_logs"]
    assert list(DEFAULT_DATA) == expected
    assert Options().uses_default_inputs()
