"""Business metrics: what the service achieves for people and for the referral pipeline.

Every metric has a written definition here (`DEFINITIONS`, also printed in the report and on the
dashboard). Rates are fractions in [0, 1], or None when their denominator is zero. All functions
are pure: they take the records of `analytics.data` and return plain dicts.
"""
from __future__ import annotations

import statistics
from collections import Counter
from typing import Callable, Iterable, TypeVar

from handoff.leads.enums import HandoffReason, LeadStatus

from .data import NO_TOPIC, Conversation, Dataset, Feedback, LeadRecord

T = TypeVar("T")

DEFINITIONS: dict[str, str] = {
    "conversations": "Conversations: tracker conversations (one widget conversation id) with at least one user event "
    "in the period. A conversation's week is the ISO week (UTC) of its first user event; its topic is the last value "
    "of the `topic` slot (triage, or the person's choice at a clarifying question), \"(none)\" if it never got one.",
    "containment": "Containment rate: share of conversations that ended without a handoff (no `handoff_reason` slot "
    "was set: no lawyer offered or requested) and without negative feedback (no \"This didn't help\").",
    "self_help_resolved": "Resolved by self-help: contained conversations in which the bot gave at least one article "
    "(a `last_answer` slot event); the share is over all conversations.",
    "handoff_rate": "Handoff rate: share of conversations with at least one handoff (a `handoff_reason` slot event with "
    "a value). By reason: share of conversations whose first handoff had that reason (the shares add up to the "
    "handoff rate). After \"This didn't help\" the bot asks once for more detail next to a lawyer button: that "
    "counts as a `feedback` handoff.",
    "fallback_rate": "Fallback rate: share of messages (free text a person typed, outside the lead form) that the "
    "FallbackClassifier marked `nlu_fallback` (low confidence or two topics too close).",
    "clarify_rate": "Clarify rate: share of messages whose triage decision was `clarify` (the bot asks which topic "
    "it is, once per conversation).",
    "leads": "Leads captured: rows of the leads table created in the period (the referral service's source of truth). "
    "Per topic: the lead's topic; per week: the week it was created.",
    "referral_to_lead": "Handoff → lead: leads captured / conversations with a handoff.",
    "consent_rate": "Consent rate: conversations in which the person agreed to share their details (a `consent` slot "
    "event true) / conversations in which the consent question was answered (true or false).",
    "conversion": "Lead → retained conversion: leads now `retained` / leads captured. Also shown over finished leads "
    "(retained, not_retained or closed) only, since open leads may still convert.",
    "days_to_close": "Days to close: days from a lead's creation to its closing status (retained, not_retained or "
    "closed), over finished leads; median and mean.",
    "feedback": "Answer feedback: clicks on \"This helped\" / \"This didn't help\" (`answer_feedback` slot events), "
    "counted per click; helpful rate = helped / (helped + didn't). Per topic: the topic of the answered article; "
    "per week: the week of the click.",
}


def rate(numerator: int | float, denominator: int | float) -> float | None:
    return numerator / denominator if denominator else None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def business_metrics(
    conversations: list[Conversation], leads: list[LeadRecord], feedback: list[Feedback] | None = None
) -> dict:
    """The business metrics of a set of conversations, leads and feedback clicks.

    `feedback` defaults to the feedback of `conversations`; per-topic and per-week breakdowns pass
    the clicks of that topic / week instead (see `DEFINITIONS["feedback"]`).
    """
    feedback = [f for c in conversations for f in c.feedback] if feedback is None else feedback
    messages = [m for c in conversations for m in c.messages]
    n = len(conversations)
    handed_off = [c for c in conversations if c.handed_off]
    reasons = Counter(c.first_handoff_reason for c in handed_off)
    contained = [c for c in conversations if c.contained]
    resolved = [c for c in contained if c.answers > 0]
    decisions = Counter(m.decision or "none" for m in messages)
    fallback = sum(1 for m in messages if m.intent == "nlu_fallback")
    consent_answered = [c for c in conversations if c.consent is not None]
    consented = [c for c in consent_answered if c.consent]
    outcomes = Counter(outcome for c in conversations for outcome in c.lead_outcomes)
    statuses = Counter(lead.status for lead in leads)
    finished = [lead for lead in leads if lead.finished]
    retained = [lead for lead in leads if lead.retained]
    days = [lead.days_to_close for lead in finished if lead.days_to_close is not None]
    helped = sum(1 for f in feedback if f.helpful)
    not_helped = len(feedback) - helped
    reason_names = [r.value for r in HandoffReason] + sorted(set(reasons) - {r.value for r in HandoffReason})
    return {
        "conversations": n,
        "contained": len(contained),
        "containment_rate": rate(len(contained), n),
        "self_help_resolved": len(resolved),
        "self_help_resolved_rate": rate(len(resolved), n),
        "handoffs": len(handed_off),
        "handoff_rate": rate(len(handed_off), n),
        "handoff_by_reason": {
            reason: {"count": reasons.get(reason, 0), "rate": rate(reasons.get(reason, 0), n)} for reason in reason_names
        },
        "messages": len(messages),
        "decisions": dict(sorted(decisions.items())),
        "fallbacks": fallback,
        "fallback_rate": rate(fallback, len(messages)),
        "clarifies": decisions.get("clarify", 0),
        "clarify_rate": rate(decisions.get("clarify", 0), len(messages)),
        "lead_form_outcomes": {k: outcomes.get(k, 0) for k in ("delivered", "queued", "declined", "cancelled")},
        "leads": len(leads),
        "referral_to_lead": rate(len(leads), len(handed_off)),
        "consent_answered": len(consent_answered),
        "consented": len(consented),
        "consent_rate": rate(len(consented), len(consent_answered)),
        "lead_statuses": {s.value: statuses.get(s.value, 0) for s in LeadStatus},
        "finished_leads": len(finished),
        "retained": len(retained),
        "conversion": rate(len(retained), len(leads)),
        "conversion_finished": rate(len(retained), len(finished)),
        "days_to_close_median": _median(days),
        "days_to_close_mean": _mean(days),
        "days_to_close_n": len(days),
        "feedback_helpful": helped,
        "feedback_not_helpful": not_helped,
        "helpful_rate": rate(helped, len(feedback)),
    }


def _group(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def breakdown(dataset: Dataset, *, by: str) -> dict[str, dict]:
    """Business metrics per topic (`by="topic"`) or per ISO week (`by="week"`), keys sorted.

    Conversations are grouped by their topic / start week, leads by their topic / creation week,
    feedback clicks by the answered article's topic / the click's week.
    """
    if by == "topic":
        conv_key: Callable[[Conversation], str] = lambda c: c.topic_key
        lead_key: Callable[[LeadRecord], str] = lambda lead: lead.topic or NO_TOPIC
        feedback_key: Callable[[Feedback], str] = lambda f: f.topic or NO_TOPIC
    elif by == "week":
        conv_key, lead_key, feedback_key = (lambda c: c.week), (lambda lead: lead.week), (lambda f: f.week)
    else:
        raise ValueError(f"breakdown by 'topic' or 'week', not {by!r}")
    conversations = _group(dataset.conversations, conv_key)
    leads = _group(dataset.leads, lead_key)
    feedback = _group(dataset.feedback, feedback_key)
    keys = sorted(set(conversations) | set(leads) | set(feedback), key=lambda k: (k == NO_TOPIC, k))
    return {k: business_metrics(conversations.get(k, []), leads.get(k, []), feedback.get(k, [])) for k in keys}


def business_summary(dataset: Dataset) -> dict:
    """Overall metrics, per topic and per week."""
    return {
        "overall": business_metrics(dataset.conversations, dataset.leads, dataset.feedback),
        "by_topic": breakdown(dataset, by="topic"),
        "by_week": breakdown(dataset, by="week"),
        "definitions": DEFINITIONS,
    }


# The definitions are part of the module's documentation too (help(analytics.business)).
__doc__ = (__doc__ or "") + "\nDefinitions:\n\n" + "\n".join(f"- {text}" for text in DEFINITIONS.values()) + "\n"
