"""Exported examples are valid Rasa training data: `rasa data validate` with the product's domain,
config and data, and Rasa's own reader sees exactly the exported examples (bot environment)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from scripts.export_training_data import TRAINING_SOURCES, LabelRecord, export  # noqa: E402

LABELS = [
    ("Hi my name is Dana Whitfield, my landlord at 55 W. 14th St, Apt 3C keeps entering without notice", "housing", "confirmed"),
    ("the property manager texted me at 6am saying rent is going up 40% next month, is that legal in ohio", "housing", "relabelled"),
    ("my supervisor Kevin said im not allowed to talk about my pay with coworkers", "employment", "relabelled"),
    ("they docked $200 from my check for a cash register shortage i didnt cause", "employment", "confirmed"),
    ("case no. 2023-CV-004512: the judge entered a default against me, can i undo it", "courts", "relabelled"),
    ("a collection agency keeps calling my job about a debt from 2012 [not mine](debt)", "consumer", "relabelled"),
    ("my ex wont let me see the kids on my weekends even though the order says i can", "family", "confirmed"),
    ("ICE detained my brother at work, how do we find out where he is", "immigration", "confirmed"),
    ("got a ticket for rolling a stop sign\nbut the sign was hidden behind a tree", "traffic", "relabelled"),
    ("whats the score of the knicks game", "out_of_scope", "out_of_scope"),
    ("hey good morning legal bot", "greet", "relabelled"),
    ("can i talk to an actual attorney about this please", "request_lawyer", "relabelled"),
    ("not sure", None, "skipped"),
]


def run_validate(data_paths: list[str]) -> tuple[int, set[str]]:
    command = [sys.executable, "-m", "rasa", "data", "validate", "--domain", "bot/domain.yml", "--config", "bot/config.yml",
               "--data", *data_paths, "--fail-on-warnings"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "RASA_TELEMETRY_ENABLED": "false", "HF_HUB_OFFLINE": "1"}
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    output = completed.stdout + completed.stderr
    warnings = {re.sub(r"\x1b\[[0-9;]*m", "", m).strip() for m in re.findall(r"UserWarning: (.*)", output)}
    return completed.returncode, warnings


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "from_logs"
    records = [LabelRecord(i, text, label, status) for i, (text, label, status) in enumerate(LABELS, start=1)]
    result = export(records, out_dir=out)  # the product's training data, test sets and domain
    return out, result


def test_export_writes_one_rasa_file_per_intent(exported):
    out, result = exported
    assert result.exported == 12
    assert sorted(p.stem for p in out.glob("*.yml")) == sorted(
        ["housing", "employment", "courts", "consumer", "family", "immigration", "traffic", "out_of_scope", "greet",
         "request_lawyer"])


def test_rasa_reads_exactly_the_exported_examples(exported):
    from rasa.shared.nlu.training_data.loading import load_data

    out, result = exported
    data = load_data(str(out))
    seen = {}
    for message in data.intent_examples:
        seen.setdefault(message.get("intent"), []).append(message.get("text"))
        assert not message.get("entities")  # "[not mine](debt)" must not become an entity
    assert seen == result.examples
    texts = [t for texts in seen.values() for t in texts]
    assert not any(secret in " ".join(texts) for secret in ("Dana", "Whitfield", "14th St", "Kevin", "004512"))
    assert "my name is <NAME>, my landlord at <ADDRESS> keeps entering without notice" in seen["housing"][0]
    assert "got a ticket for rolling a stop sign but the sign was hidden behind a tree" in seen["traffic"]


def test_rasa_data_validate_accepts_the_export_and_it_adds_no_warnings(exported):
    out, _ = exported
    base = [p for p in TRAINING_SOURCES if (REPO / p).exists()]  # what `make model` trains on
    code_base, warnings_base = run_validate(base)
    code, warnings = run_validate([*base, str(out)])
    assert code_base == 0
    assert code == 0
    assert warnings - warnings_base == set()
