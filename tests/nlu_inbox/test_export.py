"""Export of reviewed labels to Rasa training data (scripts/export_training_data.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from admin_helpers import add_user, new_app_database
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from handoff.nlu_inbox.models import NluLabel  # noqa: E402
from scripts.export_training_data import (  # noqa: E402
    HEADER,
    Example,
    LabelRecord,
    build_export,
    domain_intents,
    normalize,
    read_all,
    read_examples,
    render_yaml,
    write_export,
)

TRAINING = [
    Example("housing", "my landlord wont give back my security deposit"),
    Example("employment", "my boss has not paid my overtime for two months"),
    Example("greet", "hello there"),
]
HOLDOUT = [
    Example("traffic", "i got a speeding ticket in a school zone, can i fight it?"),
    Example("housing", "the heat has been broken for three weeks and the landlord ignores my texts"),
]
INTENTS = domain_intents()


def rec(text: str, label: str | None = "housing", status: str = "confirmed", event_id: int = 1) -> LabelRecord:
    return LabelRecord(event_id, text, label, status)


def run(records, **kwargs):
    return build_export(records, training=TRAINING, holdout=HOLDOUT, intents=INTENTS, **kwargs)


# --- what is exported -------------------------------------------------------------------------------

def test_reviewed_messages_become_examples_of_their_label():
    result = run([
        rec("the apartment above us floods our bathroom every week", "housing", "confirmed", 1),
        rec("they took money from my paycheck for a broken register", "employment", "relabelled", 2),
        rec("whats the best pizza in town", None, "out_of_scope", 3),
        rec("hmm not sure what to ask", None, "skipped", 4),
    ])
    assert result.examples == {
        "housing": ["the apartment above us floods our bathroom every week"],
        "employment": ["they took money from my paycheck for a broken register"],
        "out_of_scope": ["whats the best pizza in town"],
    }
    assert result.considered == 3  # skipped messages are not training data
    assert run([rec("whats the best pizza in town", None, "out_of_scope")], out_of_scope=False).examples == {}


def test_text_is_redacted_again_and_cleaned_for_rasa_yaml():
    result = run([rec("my name is Dana Whitfield and my landlord at 12 Oak Street\nkept my deposit [all of it](money)",
                      "housing")])
    assert result.examples["housing"] == ["my name is <NAME> and my landlord at <ADDRESS> kept my deposit all of it"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("My landlord won't give back my Security Deposit!!", "training_exact_duplicate"),
        ("my landlord wont give back my security deposit please", "training_near_duplicate"),
        ("my landlrd wont give back my security deposti", "training_near_duplicate"),  # typos
        ("I got a speeding ticket in a school zone. Can I fight it", "test_set_exact_duplicate"),
        ("got a speeding ticket in a school zone can i fight it in court", "test_set_near_duplicate"),
        ("heat broken for three weeks and the landlord ignores my texts", "test_set_near_duplicate"),
    ],
)
def test_duplicates_of_training_data_and_test_sets_are_dropped(text, reason):
    result = run([rec(text, "housing" if "ticket" not in text else "traffic", event_id=7)])
    assert result.examples == {}
    assert result.skipped == {reason: [7]}


def test_test_set_items_never_leak_even_under_another_label():
    result = run([rec("i got a speeding ticket in a school zone can i fight it", "courts", event_id=9)])
    assert result.skipped == {"test_set_exact_duplicate": [9]}


def test_different_enough_messages_are_kept():
    result = run([rec("my landlord is keeping my deposit because of carpet stains that were already there")])
    assert result.exported == 1


def test_reviewers_disagreeing_drops_the_message():
    result = run([
        rec("can my ex move the kids to another state", "family", event_id=1),
        rec("Can my ex move the kids to another state?", "divorce", "relabelled", event_id=2),
    ])
    assert result.examples == {}
    assert result.skipped == {"conflicting_labels": [1, 2]}


def test_a_label_contradicting_the_training_data_is_dropped():
    result = run([rec("my boss has not paid my overtime for two months", "housing", "relabelled", event_id=3)])
    assert result.skipped == {"contradicts_training_data": [3]}


def test_duplicates_among_the_labels_are_exported_once():
    result = run([
        rec("the city towed my car from my own driveway", "traffic", event_id=1),
        rec("The city towed my car from my own driveway!", "traffic", event_id=2),
        rec("the city towed my car from my own driveway again", "traffic", event_id=3),
    ])
    assert result.examples == {"traffic": ["The city towed my car from my own driveway!"]}  # one of the copies, stably
    assert result.skipped == {"duplicate_in_labels": [2], "near_duplicate_in_labels": [3]}


def test_unknown_labels_and_empty_messages_are_dropped():
    result = run([
        rec("they want me out", "pizza", event_id=1),
        rec("i need help", "choose_topic", "relabelled", event_id=2),  # a button payload intent, never trained
        rec("212-555-0142 maria.lopez@gmail.com", "housing", event_id=3),  # nothing left but placeholders
        rec("/request_lawyer", "request_lawyer", event_id=4),
    ])
    assert result.examples == {}
    assert result.skipped == {"unknown_label": [1, 2], "empty": [3, 4]}


def test_output_is_deterministic_whatever_the_order():
    records = [rec(f"question {w} about my rental unit and repairs", "housing", event_id=i)
               for i, w in enumerate(["alpha", "bravo", "charlie", "delta"])]
    first = run(records).examples
    second = run(list(reversed(records))).examples
    assert first == second
    assert first["housing"] == sorted(first["housing"], key=normalize)


# --- the files ----------------------------------------------------------------------------------------

def test_rasa_yaml_format(tmp_path):
    result = run([
        rec("my landlord entered my unit without notice: is that legal?", "housing", event_id=1),
        rec('a "quoted" word, a #hash, a - dash and a colon: here', "housing", event_id=2),
        rec("whats your favourite colour", None, "out_of_scope", event_id=3),
    ])
    written = write_export(result, tmp_path / "from_logs")
    assert [p.name for p in written] == ["housing.yml", "out_of_scope.yml"]
    content = (tmp_path / "from_logs" / "housing.yml").read_text()
    assert content.startswith(HEADER)
    data = yaml.safe_load(content)
    assert data["version"] == "3.1"
    assert data["nlu"] == [{"intent": "housing", "examples": (
        '- a "quoted" word, a #hash, a - dash and a colon: here\n'
        "- my landlord entered my unit without notice: is that legal?\n")}]
    assert [e.text for e in read_examples(tmp_path / "from_logs")] == [
        'a "quoted" word, a #hash, a - dash and a colon: here', "my landlord entered my unit without notice: is that legal?",
        "whats your favourite colour"]


def test_rewriting_replaces_stale_files_and_an_empty_export_removes_the_directory(tmp_path):
    out = tmp_path / "from_logs"
    write_export(run([rec("the ceiling in my rented room collapsed", "housing")]), out)
    write_export(run([rec("my job cut my hours after i got pregnant", "employment")]), out)
    assert sorted(p.name for p in out.iterdir()) == ["employment.yml"]
    write_export(run([]), out)
    assert not out.exists()


def test_render_yaml_round_trips_through_yaml():
    texts = ["it's 'complicated'", "50% of my wage: withheld", "- leading dash", "ends with a backslash \\"]
    parsed = yaml.safe_load(render_yaml("employment", texts))
    assert [line[2:] for line in parsed["nlu"][0]["examples"].splitlines()] == texts


def test_held_out_sets_include_tsv_files_and_the_environment(tmp_path, monkeypatch):
    from scripts.export_training_data import holdout_paths

    tsv = tmp_path / "eval.tsv"
    tsv.write_text("id\tcategory\ttext\nx-1\thousing\tmy roommate stopped paying rent and left\n")
    monkeypatch.setenv("NLU_HOLDOUT_PATHS", str(tsv))
    paths = holdout_paths()
    assert tsv in paths and REPO / "nlu_data" / "test" in paths
    result = build_export([rec("my roommate stopped paying rent and left!", event_id=5)], training=TRAINING,
                          holdout=read_all(paths), intents=INTENTS)
    assert result.skipped == {"test_set_exact_duplicate": [5]}


def test_the_repository_test_sets_are_held_out():
    holdout = read_all([REPO / "nlu_data" / "test"])
    assert len(holdout) >= 300
    sample = holdout[17]
    result = build_export([rec(sample.text.upper(), sample.intent, event_id=1)], training=[], holdout=holdout,
                          intents=INTENTS)
    assert result.skipped == {"test_set_exact_duplicate": [1]}


# --- from the app database, end to end ---------------------------------------------------------------------

def test_export_command_reads_the_labels_from_the_database(tmp_path):
    url, engine = new_app_database(tmp_path)
    with Session(engine) as session:
        reviewer = add_user(session, role="reviewer", email="r@staff.example.org")
        now = datetime.now(UTC)
        for i, (text, label, status) in enumerate([
            ("my employer docked my pay for a cash register shortage", "employment", "relabelled"),
            ("the tow company wants 900 dollars to give my car back", "traffic", "confirmed"),
            ("can you recommend a good pizza place", "out_of_scope", "out_of_scope"),
            ("no idea", None, "skipped"),
        ]):
            session.add(NluLabel(event_id=100 + i, sender_id=f"c{i}", text=text, label=label, status=status,
                                 reviewer=reviewer.email, reviewer_id=reviewer.id, labelled_at=now, redactions={}))
        session.commit()
    engine.dispose()
    out, report = tmp_path / "from_logs", tmp_path / "report.json"
    completed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "export_training_data.py"), "--database-url", url, "--out", str(out),
         "--report", str(report)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "exported 3 of 3 reviewed examples" in completed.stdout
    assert sorted(p.name for p in out.iterdir()) == ["employment.yml", "out_of_scope.yml", "traffic.yml"]
    assert json.loads(report.read_text())["per_intent"] == {"employment": 1, "out_of_scope": 1, "traffic": 1}
    # The report names event ids, never message text.
    assert "pizza" not in report.read_text()


def test_the_training_data_is_what_make_model_trains_on():
    from scripts import train_bot
    from scripts.export_training_data import TRAINING_SOURCES

    assert set(TRAINING_SOURCES) == set(train_bot.TRAINING_DATA) - {"nlu_data/from_logs"}
    emergency = [e for e in read_all([REPO / p for p in TRAINING_SOURCES]) if e.intent == "emergency"]
    if emergency:  # the learned safety intent: a copy under another label contradicts it
        result = build_export([rec(emergency[0].text, "crime", "relabelled", event_id=4)],
                              training=read_all([REPO / p for p in TRAINING_SOURCES]), holdout=[], intents=INTENTS)
        assert result.skipped == {"contradicts_training_data": [4]}
        assert build_export([rec("he just broke in and has a bat, im hiding in the closet", "emergency", "relabelled")],
                            training=[], holdout=[], intents=INTENTS).examples == {
            "emergency": ["he just broke in and has a bat, im hiding in the closet"]}
