"""Closed vocabularies of the referral service (shared by leads and lawyers)."""
from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    """The 16 LIST (Legal Issues Taxonomy) top-level topics the bot classifies into."""

    benefits = "benefits"
    business = "business"
    consumer = "consumer"
    courts = "courts"
    crime = "crime"
    divorce = "divorce"
    domestic_violence = "domestic_violence"
    education = "education"
    employment = "employment"
    estates = "estates"
    family = "family"
    health = "health"
    housing = "housing"
    immigration = "immigration"
    torts = "torts"
    traffic = "traffic"


class HandoffReason(StrEnum):
    low_confidence = "low_confidence"
    complex = "complex"
    user_request = "user_request"
    guardrail = "guardrail"
    feedback = "feedback"
    high_stakes = "high_stakes"


class ContactMethod(StrEnum):
    email = "email"
    phone = "phone"
    text = "text"


class Urgency(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    emergency = "emergency"


class Queue(StrEnum):
    panel = "panel"
    legal_aid = "legal_aid"


class LeadStatus(StrEnum):
    new = "new"
    assigned = "assigned"
    contacted = "contacted"
    consultation_scheduled = "consultation_scheduled"
    retained = "retained"
    not_retained = "not_retained"
    closed = "closed"


OPEN_STATUSES: frozenset[LeadStatus] = frozenset(
    {LeadStatus.new, LeadStatus.assigned, LeadStatus.contacted, LeadStatus.consultation_scheduled}
)
TERMINAL_STATUSES: frozenset[LeadStatus] = frozenset({LeadStatus.retained, LeadStatus.not_retained, LeadStatus.closed})
# A lawyer's caseload: leads assigned to them and not finished yet.
CASELOAD_STATUSES: frozenset[LeadStatus] = frozenset(
    {LeadStatus.assigned, LeadStatus.contacted, LeadStatus.consultation_scheduled}
)

# The pipeline. `closed` is allowed from every open state; everything else moves one step.
TRANSITIONS: dict[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.new: frozenset({LeadStatus.assigned, LeadStatus.closed}),
    LeadStatus.assigned: frozenset({LeadStatus.contacted, LeadStatus.closed}),
    LeadStatus.contacted: frozenset({LeadStatus.consultation_scheduled, LeadStatus.closed}),
    LeadStatus.consultation_scheduled: frozenset({LeadStatus.retained, LeadStatus.not_retained, LeadStatus.closed}),
    LeadStatus.retained: frozenset(),
    LeadStatus.not_retained: frozenset(),
    LeadStatus.closed: frozenset(),
}


class HistoryEvent(StrEnum):
    """Kinds of rows in a lead's history (status changes and other audited actions)."""

    created = "created"
    status = "status"
    assigned = "assigned"
    reassigned = "reassigned"
    notified = "notified"
    notification_failed = "notification_failed"
    pii_deleted = "pii_deleted"
