"""CSV export of leads, safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from ..leads.models import Lead

# A cell starting with one of these is a formula in Excel/LibreOffice/Sheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Lead ID"),
    ("created_at", "Created (UTC)"),
    ("status", "Status"),
    ("topic", "Topic"),
    ("nlu_confidence", "NLU confidence"),
    ("handoff_reason", "Handoff reason"),
    ("urgency", "Urgency"),
    ("queue", "Queue"),
    ("lawyer", "Lawyer"),
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("preferred_contact", "Preferred contact"),
    ("state", "State"),
    ("zip", "ZIP"),
    ("summary", "Summary"),
    ("opposing_party", "Opposing party"),
    ("lost_reason", "Closing reason"),
    ("closed_at", "Closed (UTC)"),
    ("conversation_id", "Conversation ID"),
)


def neutralize(value: object) -> str:
    """The cell's text; text a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:.3f}"
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _cell(lead: Lead, key: str) -> object:
    if key == "lawyer":
        return lead.lawyer.name if lead.lawyer else None
    return getattr(lead, key)


def leads_csv(leads: Iterable[Lead]) -> str:
    buffer = io.StringIO()
    # BOM: Excel then reads the file as UTF-8 (names with accents stay intact).
    buffer.write("\ufeff")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([title for _key, title in COLUMNS])
    for lead in leads:
        writer.writerow([neutralize(_cell(lead, key)) for key, _title in COLUMNS])
    return buffer.getvalue()
