"""Business metrics on the hand-written world (see analytics_fixture.py for the derivations)."""
from __future__ import annotations

import pytest

from analytics.business import DEFINITIONS, business_summary
from analytics.data import NO_TOPIC


@pytest.fixture(scope="module")
def summary(dataset):
    return business_summary(dataset)


def test_conversations_and_messages(dataset):
    conversations = {c.sender_id: c for c in dataset.conversations}
    assert list(conversations) == ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"]
    # Button payloads and the lead form's typed answers are user events, not messages.
    assert conversations["c4"].user_events == 1 + 1 + 4 + 1
    assert [m.event_id for m in conversations["c4"].messages] == [401]
    assert [m.event_id for m in conversations["c3"].messages] == [301, 302]
    # The topic is the last topic slot: c3 was clarified from divorce to family.
    assert conversations["c3"].topic == "family"
    assert conversations["c10"].topic is None and conversations["c10"].topic_key == NO_TOPIC


def test_overall(summary):
    o = summary["overall"]
    assert o["conversations"] == 10
    # Contained: c1, c3, c7, c10 (c2 had negative feedback and a feedback handoff; the rest were handed off).
    assert o["contained"] == 4 and o["containment_rate"] == pytest.approx(0.4)
    # ... of which c1, c3 and c7 received an article.
    assert o["self_help_resolved"] == 3 and o["self_help_resolved_rate"] == pytest.approx(0.3)
    assert o["handoffs"] == 6 and o["handoff_rate"] == pytest.approx(0.6)
    by_reason = {k: v["count"] for k, v in o["handoff_by_reason"].items()}
    assert by_reason == {"low_confidence": 1, "complex": 0, "user_request": 2, "guardrail": 1, "feedback": 1,
                         "high_stakes": 1}
    assert o["handoff_by_reason"]["user_request"]["rate"] == pytest.approx(0.2)
    assert sum(v["rate"] for v in o["handoff_by_reason"].values()) == pytest.approx(o["handoff_rate"])
    # 11 messages: 2 nlu_fallback (302, 601), 1 clarify (302).
    assert o["messages"] == 11
    assert o["decisions"] == {"answer": 4, "clarify": 1, "emergency": 1, "handoff": 3, "out_of_scope": 2}
    assert o["fallbacks"] == 2 and o["fallback_rate"] == pytest.approx(2 / 11)
    assert o["clarifies"] == 1 and o["clarify_rate"] == pytest.approx(1 / 11)


def test_leads_consent_conversion(summary):
    o = summary["overall"]
    assert o["leads"] == 3
    assert o["referral_to_lead"] == pytest.approx(3 / 6)
    # Consent answered in c4 (yes, recorded twice), c6 (no), c8 (yes), c9 (yes).
    assert (o["consent_answered"], o["consented"]) == (4, 3)
    assert o["consent_rate"] == pytest.approx(0.75)
    assert o["lead_form_outcomes"] == {"delivered": 2, "queued": 1, "declined": 1, "cancelled": 0}
    assert o["lead_statuses"]["retained"] == 1 and o["lead_statuses"]["not_retained"] == 1
    assert o["lead_statuses"]["contacted"] == 1
    assert o["retained"] == 1 and o["finished_leads"] == 2
    assert o["conversion"] == pytest.approx(1 / 3)
    assert o["conversion_finished"] == pytest.approx(1 / 2)
    # Finished leads closed after 10 and 4 days.
    assert o["days_to_close_median"] == pytest.approx(7.0)
    assert o["days_to_close_mean"] == pytest.approx(7.0)
    assert o["days_to_close_n"] == 2


def test_feedback(summary):
    o = summary["overall"]
    assert (o["feedback_helpful"], o["feedback_not_helpful"]) == (2, 1)
    assert o["helpful_rate"] == pytest.approx(2 / 3)


def test_per_topic(summary):
    by_topic = summary["by_topic"]
    assert list(by_topic) == ["consumer", "crime", "domestic_violence", "employment", "family", "housing",
                              "immigration", "traffic", NO_TOPIC]
    employment = by_topic["employment"]  # c2 (didn't help, handoff) and c7 (helped)
    assert employment["conversations"] == 2
    assert employment["containment_rate"] == pytest.approx(0.5)
    assert employment["handoff_rate"] == pytest.approx(0.5)
    assert (employment["feedback_helpful"], employment["feedback_not_helpful"]) == (1, 1)
    assert by_topic["housing"]["helpful_rate"] == pytest.approx(1.0)
    consumer = by_topic["consumer"]  # c8 and lead L2 (not retained after 4 days)
    assert (consumer["conversations"], consumer["leads"], consumer["retained"]) == (1, 1, 0)
    assert consumer["conversion"] == 0 and consumer["days_to_close_median"] == pytest.approx(4.0)
    immigration = by_topic["immigration"]
    assert immigration["conversion"] == pytest.approx(1.0) and immigration["consent_rate"] == pytest.approx(1.0)
    assert by_topic["traffic"]["consent_rate"] == 0
    assert by_topic["crime"]["consent_rate"] is None  # never asked
    assert by_topic[NO_TOPIC]["conversations"] == 1 and by_topic[NO_TOPIC]["containment_rate"] == pytest.approx(1.0)


def test_per_week(summary):
    by_week = summary["by_week"]
    assert list(by_week) == ["2026-W45", "2026-W46", "2026-W47"]
    w45, w46, w47 = by_week.values()
    assert (w45["conversations"], w46["conversations"], w47["conversations"]) == (3, 3, 4)
    assert w45["containment_rate"] == pytest.approx(2 / 3)   # c1, c3
    assert w46["containment_rate"] == 0
    assert w47["containment_rate"] == pytest.approx(2 / 4)   # c7, c10
    assert w46["handoff_rate"] == pytest.approx(1.0)
    assert (w45["leads"], w46["leads"], w47["leads"]) == (0, 1, 2)
    assert w46["consent_rate"] == pytest.approx(0.5)         # c4 yes, c6 no
    assert w47["consent_rate"] == pytest.approx(1.0)
    assert w45["helpful_rate"] == pytest.approx(0.5) and w47["helpful_rate"] == pytest.approx(1.0)
    assert w46["helpful_rate"] is None
    assert w47["conversion"] == 0 and w46["conversion"] == pytest.approx(1.0)
    assert w45["messages"] == 4 and w45["clarify_rate"] == pytest.approx(1 / 4)


def test_every_metric_has_a_definition():
    for key in ("conversations", "containment", "handoff_rate", "fallback_rate", "clarify_rate", "leads",
                "consent_rate", "conversion", "days_to_close", "feedback"):
        assert DEFINITIONS[key]


def test_empty_data_gives_no_rates():
    from analytics.business import business_metrics

    empty = business_metrics([], [], [])
    assert empty["conversations"] == 0
    assert empty["containment_rate"] is None and empty["consent_rate"] is None and empty["conversion"] is None
    assert empty["days_to_close_median"] is None
