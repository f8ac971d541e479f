"""Tests of the rule-based safety detector (bot/safety/detector.py).

The detector is stdlib-only, so these tests run under both environments:
    .venv-bot/bin/pytest tests/bot/test_safety_detector.py
    .venv-app/bin/pytest tests/bot/test_safety_detector.py
Data (tests/data/safety/*.txt) was written for these tests; it is not the shared evaluation set.
"""
from __future__ import annotations

import ast
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.safety.detector import (  # noqa: E402
    ABUSE_CATEGORIES,
    EMERGENCY_CATEGORIES,
    HIGH_STAKES_CATEGORIES,
    Assessment,
    assess,
    explain,
)

DATA = REPO / "tests" / "data" / "safety"
# A fixed "today" (a Wednesday) so that weekday and calendar-date deadlines are reproducible.
TODAY = date(2025, 3, 5)


def load(name: str, *, labelled: bool):
    rows = []
    for number, line in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if labelled:
            text, _, label = line.partition("\t")
            assert label.strip(), f"{name}:{number} needs '<message>\\t<category>'"
            rows.append((text.strip(), label.strip()))
        else:
            rows.append(line.split("\t")[0].strip())
    return rows


DANGER = load("danger_messages.txt", labelled=True)
ABUSE = load("abuse_messages.txt", labelled=False)
ORDINARY = load("ordinary_messages.txt", labelled=False)
HIGH = load("high_stakes_messages.txt", labelled=True)
NOT_HIGH = load("not_high_stakes_messages.txt", labelled=False)


def run(text: str) -> Assessment:
    return assess(text, today=TODAY)


# --------------------------------------------------------------------------------- the data sets

def test_data_sets_are_big_enough_and_labelled_with_known_categories():
    assert len(DANGER) >= 60 and len(ABUSE) >= 25 and len(ORDINARY) >= 100
    assert len(HIGH) >= 40 and len(NOT_HIGH) >= 40
    assert {label for _, label in DANGER} <= set(EMERGENCY_CATEGORIES)
    assert {label for _, label in HIGH} <= set(HIGH_STAKES_CATEGORIES)
    # every emergency category is exercised
    assert {label for _, label in DANGER} >= {"violence_now", "threat_now", "self_harm", "child_danger", "intruder", "trapped", "weapon"}
    assert {label for _, label in HIGH} == set(HIGH_STAKES_CATEGORIES)


@pytest.mark.parametrize("text,category", DANGER, ids=[f"danger{i}" for i in range(len(DANGER))])
def test_every_danger_message_is_an_emergency(text, category):
    result = run(text)
    assert result.level == "emergency", (text, result.as_dict())
    assert category in result.categories, (text, result.as_dict())


def test_ordinary_messages_are_not_emergencies_or_abuse():
    emergencies = [t for t in ORDINARY if run(t).level == "emergency"]
    abuse = [t for t in ORDINARY if run(t).level == "abuse"]
    assert len(emergencies) <= 0.05 * len(ORDINARY), emergencies
    assert len(abuse) <= 0.05 * len(ORDINARY), abuse


def test_ordinary_messages_have_no_false_alarm_at_all():
    """The target is zero; the 5% bound above is the hard limit."""
    flagged = [(t, run(t).as_dict()) for t in ORDINARY if run(t).level != "none"]
    assert flagged == []


def test_abuse_messages_are_recognised():
    missed = [t for t in ABUSE if run(t).level not in ("abuse", "emergency")]
    assert len(missed) <= 0.10 * len(ABUSE), missed


def test_high_stakes_recall():
    missed = [(t, c, run(t).high_stakes) for t, c in HIGH if c not in run(t).high_stakes]
    assert len(missed) <= 0.10 * len(HIGH), missed


@pytest.mark.parametrize("category", HIGH_STAKES_CATEGORIES)
def test_high_stakes_recall_per_category(category):
    rows = [t for t, c in HIGH if c == category]
    missed = [t for t in rows if category not in run(t).high_stakes]
    assert len(missed) <= 0.10 * len(rows), missed


def test_high_stakes_false_positives():
    flagged = [(t, run(t).high_stakes) for t in NOT_HIGH if run(t).high_stakes]
    assert len(flagged) <= 0.10 * len(NOT_HIGH), flagged


def test_ordinary_and_not_high_messages_never_raise_an_emergency():
    assert [t for t in NOT_HIGH if run(t).level == "emergency"] == []


# --------------------------------------------------------------------------- the brief's examples

@pytest.mark.parametrize("text,category", [
    ("hes hitting me", "violence_now"),
    ("im scared hes going to kill me", "threat_now"),
    ("he has a gun and says hell shoot", "weapon"),
    ("i want to end it all", "self_harm"),
    ("my kid is locked in the car", "child_danger"),
    ("somebody is trying to get in my back door right now", "intruder"),
    ("HE'S HITTING ME", "violence_now"),
    ("he\u2019s choking me", "violence_now"),  # typographic apostrophe
    ("my ex is outside my door right now threatening me", "threat_now"),
    ("i am locked in the bathroom and he wont let me out", "trapped"),
])
def test_lay_writing(text, category):
    result = run(text)
    assert result.level == "emergency" and category in result.categories, result.as_dict()


@pytest.mark.parametrize("text", [
    "this late fee is killing me", "I could murder a burger", "my boss is going to kill me if I'm late",
    "that exam killed me", "dying to know", "shoot me an email", "killing it at work", "my landlord is a nightmare",
    "I'm dead tired", "the commute is murder", "bombed my interview", "my ex threatened to sue me",
    "the police report from my accident", "I was charged a late fee", "my landlord is killing me with these fees",
    "custody battle", "attack ad", "fire my lawyer",
])
def test_figurative_speech_does_not_trigger(text):
    assert run(text).level == "none", run(text).as_dict()


@pytest.mark.parametrize("text", [
    "he didn't hit me", "he did not hit me, he just yelled", "I'm not suicidal", "i am not going to kill myself",
    "no one is breaking in", "nobody is threatening me", "he is not hitting me", "i would never hurt myself",
    "I don't want to kill myself, I want to know about my debts", "he never threatened me",
])
def test_negation(text):
    assert run(text).level == "none", run(text).as_dict()


@pytest.mark.parametrize("text,level", [
    ("he hit me last year", "abuse"),
    ("he hit me and i am bleeding", "emergency"),
    ("he just hit me", "emergency"),
    ("he hits me when he drinks", "abuse"),
    ("he is always hitting me when he drinks", "abuse"),
    ("he threatened to kill me last month", "abuse"),
    ("he just threatened to kill me", "emergency"),
    ("he is threatening to kill me", "emergency"),
    ("if he hits me again can i press charges", "none"),
    ("what happens if someone breaks into my house and I shoot them", "none"),
    ("he won't stop kicking me", "emergency"),
    ("he hit me last year", "abuse"),
    ("please help he hit me last year and i want a divorce", "abuse"),
    # the backstop: an urgent plea next to a danger word
    ("please help hes got a knife", "emergency"),
    ("HELP there is someone in the house", "emergency"),
    ("please help me with my eviction", "none"),
    ("please help, this late fee is killing me", "none"),
    ("help me understand if spanking is hitting a child under the law", "none"),
])
def test_tense_and_hypotheticals(text, level):
    assert run(text).level == level, run(text).as_dict()


# ---------------------------------------------------------------------------------- long messages

STORY = (
    "We were married for nine years. He was controlling about money and he hit me twice during the marriage, "
    "once in 2019 and once last year. I moved out in the spring and filed for divorce, and the court gave us a "
    "schedule for the kids. My lawyer says the property division will take a while. "
)


def test_long_story_ending_in_danger_is_an_emergency():
    text = (STORY * 40)[:4950] + " he's outside my door right now threatening me"
    assert len(text) <= 5000
    result = run(text)
    assert result.level == "emergency" and "threat_now" in result.categories, result.as_dict()


def test_long_story_of_past_abuse_only_is_abuse():
    result = run((STORY * 40)[:5000])
    assert result.level == "abuse", result.as_dict()


def test_very_long_input_is_handled():
    result = run(STORY * 200 + " i want to kill myself")
    assert result.level == "emergency"


# ------------------------------------------------------------------------------- court deadlines

@pytest.mark.parametrize("text,expected", [
    ("court tomorrow", True), ("hearing on monday", True), ("my hearing is in 3 days", True),
    ("my trial is next week", True), ("I have to file my answer by friday", True), ("court in 10 days", True),
    ("my hearing is in 14 days", True), ("my hearing is in two weeks", True), ("hearing in a couple of days", True),
    ("my hearing is in 15 days", False), ("my court date is in 3 weeks", False), ("my hearing is next month", False),
    ("I have 30 days to respond to the lawsuit", False), ("my court date is in two months", False),
    ("my hearing was last monday", False), ("I have a job interview tomorrow", False), ("my rent is due friday", False),
    ("I got new hearing aids yesterday and have a follow up tomorrow", False),
    ("my court date is march 12", True), ("my court date is march 30", False), ("hearing on 3/10", True),
    ("my hearing is on the 6th", True), ("my hearing is on the 28th", False),
])
def test_court_deadline_window(text, expected):
    assert ("court_deadline" in run(text).high_stakes) is expected, (text, run(text).high_stakes)


# ------------------------------------------------------------------------------------- contract

def test_assessment_contract():
    result = assess("hes hitting me and i have court tomorrow", today=TODAY)
    assert isinstance(result, Assessment)
    assert result.as_dict() == {"level": "emergency", "categories": ["violence_now"], "high_stakes": ["court_deadline"]}
    assert set(result.as_dict()) == {"level", "categories", "high_stakes"}
    empty = assess("")
    assert empty.as_dict() == {"level": "none", "categories": [], "high_stakes": []}
    assert assess("   ").level == "none" and assess(None).level == "none"  # type: ignore[arg-type]
    # without `today` the real date is used
    assert assess("court tomorrow").high_stakes == ["court_deadline"]


def test_reported_categories_are_known():
    known = set(EMERGENCY_CATEGORIES) | set(ABUSE_CATEGORIES)
    for text in [t for t, _ in DANGER] + ABUSE + ORDINARY + [t for t, _ in HIGH] + NOT_HIGH:
        result = run(text)
        assert set(result.categories) <= known
        assert set(result.high_stakes) <= set(HIGH_STAKES_CATEGORIES)
        assert result.level in ("emergency", "abuse", "none")
        if result.level == "emergency":
            assert set(result.categories) & set(EMERGENCY_CATEGORIES)


def test_high_stakes_names_match_the_bot_messages():
    """high_stakes values must be keys of bot.actions.messages.HIGH_STAKES_TEXT (read without importing rasa_sdk)."""
    tree = ast.parse((REPO / "bot" / "actions" / "messages.py").read_text(encoding="utf-8"))
    keys = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "HIGH_STAKES_TEXT" for t in node.targets):
            keys = {k.value for k in node.value.keys}
    assert keys == set(HIGH_STAKES_CATEGORIES)


def test_every_rule_explains_itself():
    rules = explain()
    assert len(rules) > 30
    assert all(rule_id and len(why) > 15 for rule_id, why in rules)
    assert len({rule_id for rule_id, _ in rules}) == len(rules)


def test_detector_is_stdlib_only():
    tree = ast.parse((REPO / "bot" / "safety" / "detector.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "re", "bisect", "dataclasses", "datetime", "typing"}


def test_typical_messages_are_fast():
    texts = [t for t, _ in DANGER] + ORDINARY + [t for t, _ in HIGH]
    for text in texts:
        run(text)  # warm the regex cache
    cpu = []
    for text in texts:
        start = time.process_time()
        run(text)
        cpu.append(time.process_time() - start)
    # The target is < 1 ms; the bound leaves room for slow CI machines.
    assert statistics.median(cpu) < 0.002, statistics.median(cpu)
