"""The model registry (scripts/model_registry.py): promotion with hot-load, rollback, the CLI.

Rasa's HTTP API is a local stand-in (tests/bot/retrain_helpers.FakeRasa); the real server is
exercised by test_retrain_smoke.py.
"""
from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrain_helpers import FakeRasa  # noqa: E402

from scripts.model_registry import PromotionError, RasaServer, Registry, RegistryError, main  # noqa: E402

TOKEN = "rasa-test-token"


@pytest.fixture
def registry(tmp_path) -> Registry:
    models = tmp_path / "models"
    models.mkdir()
    return Registry(models, from_logs_dir=tmp_path / "from_logs")


def add_model(registry: Registry, name: str, *, promoted_at: str | None = None, from_logs: dict | None = None) -> str:
    file = f"model-{name}.tar.gz"
    (registry.models_dir / file).write_bytes(b"model " + name.encode())
    registry.upsert({"model": file, "inputs_hash": name, "trained_at": promoted_at or "2026-01-01T00:00:00+00:00",
                     "metrics": {"macro_f1": 0.8, "accuracy": 0.8}})
    if from_logs is not None:
        source = registry.models_dir.parent / f"export-{name}"
        source.mkdir()
        for intent, text in from_logs.items():
            (source / f"{intent}.yml").write_text(text)
        registry.snapshot_training_data(file, source)
    return file


def promote_at(registry: Registry, file: str, at: str) -> None:
    registry.promote(file, rasa=None)
    with registry.locked() as data:
        next(e for e in data["models"] if e["model"] == file)["promoted_at"] = at


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_promote_hot_loads_into_the_running_rasa_and_writes_current_json(registry):
    model = add_model(registry, "aaaa")
    with FakeRasa(TOKEN, model_file="model-old.tar.gz") as rasa:
        result = registry.promote(model, rasa=RasaServer(rasa.url, TOKEN), by="tester")
    assert rasa.loads == [{"model_file": str((registry.models_dir / model).resolve())}]
    assert rasa.model_file == model
    assert result["notes"] == [f"Rasa at {rasa.url} now serves {model} (hot-loaded, no restart)"]
    current = json.loads(registry.current_path.read_text())
    assert current["model"] == model and current["hash"] == "aaaa" and current["source"] == "promote"
    entry = registry.get(model)
    assert entry["promoted"] and entry["promoted_at"]
    assert registry.load()["events"][-1]["action"] == "promote"
    assert registry.load()["events"][-1]["by"] == "tester"


def test_when_rasa_is_not_running_only_current_json_changes(registry):
    model = add_model(registry, "aaaa")
    result = registry.promote(model, rasa=RasaServer(f"http://127.0.0.1:{unused_port()}", TOKEN))
    assert "Rasa not running" in result["notes"][0]
    assert registry.current_model() == model


def test_when_rasa_refuses_the_model_nothing_changes(registry):
    old = add_model(registry, "aaaa")
    registry.promote(old, rasa=None)
    new = add_model(registry, "bbbb")
    with FakeRasa(TOKEN, model_file=old, refuse=True) as rasa:
        with pytest.raises(PromotionError, match="HTTP 500"):
            registry.promote(new, rasa=RasaServer(rasa.url, TOKEN))
    assert registry.current_model() == old
    assert not registry.get(new)["promoted"]


def test_a_wrong_token_is_reported(registry):
    model = add_model(registry, "aaaa")
    with FakeRasa(TOKEN) as rasa:
        with pytest.raises(PromotionError, match="refused the token"):
            registry.promote(model, rasa=RasaServer(rasa.url, "wrong"))
    assert registry.current_model() is None


def test_token_from_the_environment_or_var_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:5999/")
    (tmp_path / "secrets.env").write_text("# generated\nRASA_TOKEN=from-file\nSECRET_KEY=x\n")
    server = RasaServer.from_env(tmp_path)
    assert (server.url, server.token) == ("http://127.0.0.1:5999", "from-file")
    monkeypatch.setenv("RASA_TOKEN", "from-env")
    assert RasaServer.from_env(tmp_path).token == "from-env"


def test_rollback_goes_to_the_model_promoted_before_the_current_one(registry):
    a = add_model(registry, "aaaa", from_logs={"housing": "version a\n"})
    b = add_model(registry, "bbbb", from_logs={"housing": "version b\n", "traffic": "b\n"})
    c = add_model(registry, "cccc", from_logs={})
    promote_at(registry, a, "2026-01-01T00:00:00+00:00")
    promote_at(registry, b, "2026-02-01T00:00:00+00:00")
    add_model(registry, "dddd")  # trained, never promoted: not a rollback target
    promote_at(registry, c, "2026-03-01T00:00:00+00:00")
    assert registry.rollback_target() == b

    with FakeRasa(TOKEN, model_file=c) as rasa:
        result = registry.rollback(rasa=RasaServer(rasa.url, TOKEN), by="tester")
    assert (result["model"], result["previous"]) == (b, c)
    assert rasa.model_file == b
    current = json.loads(registry.current_path.read_text())
    assert current["model"] == b and current["source"] == "rollback" and current["pinned"] is True
    assert registry.get(c)["rolled_back_at"]
    # The exported examples are put back as they were for model b.
    assert sorted(p.name for p in registry.from_logs_dir.iterdir()) == ["housing.yml", "traffic.yml"]
    assert (registry.from_logs_dir / "housing.yml").read_text() == "version b\n"
    # Rolling back again goes further back in time.
    assert registry.rollback_target() == a
    registry.rollback(rasa=None)
    assert registry.current_model() == a
    assert (registry.from_logs_dir / "housing.yml").read_text() == "version a\n"


def test_rollback_to_a_named_model_and_to_one_without_exported_data(registry):
    a = add_model(registry, "aaaa", from_logs={})
    b = add_model(registry, "bbbb", from_logs={"housing": "b\n"})
    promote_at(registry, a, "2026-01-01T00:00:00+00:00")
    promote_at(registry, b, "2026-02-01T00:00:00+00:00")
    registry.rollback("model-aaaa", rasa=None)
    assert registry.current_model() == a
    assert not registry.from_logs_dir.exists()  # model a was trained without exported examples


def test_rollback_errors(registry):
    with pytest.raises(RegistryError, match="no earlier promoted model"):
        registry.rollback(rasa=None)
    a = add_model(registry, "aaaa")
    registry.promote(a, rasa=None)
    with pytest.raises(RegistryError, match="already the current model"):
        registry.rollback(a, rasa=None)
    with pytest.raises(RegistryError, match="unknown model model-zzzz"):
        registry.rollback("model-zzzz", rasa=None)


def test_a_model_trained_by_make_model_is_adopted(registry):
    file = "model-0123456789abcdef.tar.gz"
    (registry.models_dir / file).write_bytes(b"x")
    registry.current_path.write_text(json.dumps({"hash": "0123456789abcdef", "model": file, "trained_at": 1767225600.0}))
    entry = registry.register_current()
    assert entry["model"] == file and entry["promoted"] and entry["source"] == "make model"
    assert entry["trained_at"] == "2026-01-01T00:00:00+00:00"
    assert registry.register_current()["model"] == file  # idempotent
    assert len(registry.entries()) == 1


def test_command_line(registry, capsys, monkeypatch):
    monkeypatch.delenv("RASA_URL", raising=False)
    a = add_model(registry, "aaaa")
    b = add_model(registry, "bbbb")
    promote_at(registry, a, "2026-01-01T00:00:00+00:00")
    promote_at(registry, b, "2026-02-01T00:00:00+00:00")
    args = ["--models-dir", str(registry.models_dir), "--from-logs-dir", str(registry.from_logs_dir)]
    assert main([*args, "list"]) == 0
    listing = capsys.readouterr().out
    assert f"* {b}" in listing and f"  {a}" in listing
    with FakeRasa(TOKEN, model_file=b) as rasa:
        monkeypatch.setenv("RASA_URL", rasa.url)
        monkeypatch.setenv("RASA_TOKEN", TOKEN)
        assert main([*args, "rollback"]) == 0
        assert rasa.model_file == a
    out = capsys.readouterr().out
    assert f"rollback: current model is now {a} (was {b})" in out and "hot-loaded" in out
    assert main([*args, "rollback", "model-nope"]) == 1
    assert "unknown model model-nope.tar.gz" in capsys.readouterr().err
    assert main([*args, "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["current"] == a
