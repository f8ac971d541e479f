"""Request and response bodies for leads (pydantic 2), validated strictly at the boundary."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic_core import PydanticCustomError
from pydantic import AfterValidator, AliasChoices, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, field_validator

from ..lawyers.schemas import LawyerBrief
from .enums import ContactMethod, HandoffReason, LeadStatus, Queue, Topic, Urgency
from .validation import ACTOR_PATTERN, blank_to_none, clean_text, field_check, normalize_phone, normalize_state, normalize_zip

MAX_SUMMARY_CHARS = 2000
CONVERSATION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
IDEMPOTENCY_KEY_PATTERN = CONVERSATION_ID_PATTERN

BlankIsNone = BeforeValidator(blank_to_none)  # "" from a form means "not given"
SingleLine = AfterValidator(field_check(clean_text))


@field_check
def _multiline(value: str) -> str:
    return clean_text(value, multiline=True)


PhoneNumber = Annotated[str, AfterValidator(field_check(normalize_phone))]
StateCode = Annotated[str, AfterValidator(field_check(normalize_state))]
ZipCode = Annotated[str, AfterValidator(field_check(normalize_zip))]
SummaryText = Annotated[str, Field(max_length=MAX_SUMMARY_CHARS), AfterValidator(_multiline)]
ShortText = Annotated[str, Field(max_length=200), SingleLine]
ReasonText = Annotated[str, Field(max_length=500), SingleLine]
# A search term reaches SQL as a bound parameter; PostgreSQL refuses NUL in text, so it is refused here with a 422.
SearchText = Annotated[str, SingleLine]


class LeadCreate(BaseModel):
    """What the bot sends when a person asks for (or is offered) a lawyer and consents."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "conversation_id": "c0ffee-1234",
                    "topic": "housing",
                    "nlu_confidence": 0.42,
                    "handoff_reason": "low_confidence",
                    "name": "Pat Example",
                    "email": "pat@example.com",
                    "phone": "(212) 555-0142",
                    "state": "NY",
                    "preferred_contact": "email",
                    "urgency": "high",
                    "summary": "Landlord served an eviction notice; hearing next week.",
                    "opposing_party": "Example Properties LLC",
                    "consent_version": "2024-05",
                    "consent_at": "2024-05-01T12:00:00Z",
                }
            ]
        },
    )

    conversation_id: str = Field(pattern=CONVERSATION_ID_PATTERN, description="Rasa conversation (sender) id")
    topic: Topic
    nlu_confidence: float | None = Field(default=None, ge=0, le=1, description="NLU confidence at handoff (0..1)")
    handoff_reason: HandoffReason
    name: Annotated[str, Field(min_length=1, max_length=200), SingleLine]
    email: Annotated[EmailStr | None, BlankIsNone] = None
    phone: Annotated[PhoneNumber | None, BlankIsNone] = Field(
        default=None, description="US number (10 digits) or +country number; stored as E.164"
    )
    state: Annotated[StateCode | None, BlankIsNone] = Field(default=None, description="2-letter US state code (state or ZIP is required)")
    zip: Annotated[ZipCode | None, BlankIsNone] = Field(
        default=None,
        validation_alias=AliasChoices("zip", "zip_code"),
        description="5-digit ZIP code (state or ZIP is required); `zip_code` is accepted as an alias",
    )
    preferred_contact: Annotated[ContactMethod | None, BlankIsNone] = Field(
        default=None, description="Defaults to email when an email is given, else phone"
    )
    urgency: Urgency = Urgency.normal
    summary: Annotated[SummaryText | None, BlankIsNone] = Field(default=None, description="Short summary (at most 2000 characters)")
    opposing_party: Annotated[ShortText | None, BlankIsNone] = Field(default=None, description="For the lawyer's conflict check")
    consent_version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$", description="Version of the consent text the person accepted")
    consent_at: datetime = Field(description="When the person consented (ISO 8601; naive values are UTC)")

    @field_validator("consent_at")
    @classmethod
    def _consent_time(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if value > datetime.now(UTC) + timedelta(minutes=10):
            raise PydanticCustomError("value_error", "consent time is in the future")
        return value.astimezone(UTC)

    def cross_field_errors(self) -> list[tuple[str, str]]:
        """Checks that involve several fields, as (field, message) pairs."""
        errors: list[tuple[str, str]] = []
        if not self.email and not self.phone:
            errors.append(("email", "give an email address or a phone number (at least one)"))
        if not self.state and not self.zip:
            errors.append(("state", "give a state (2 letters) or a ZIP code (5 digits)"))
        if self.preferred_contact == ContactMethod.email and not self.email:
            errors.append(("preferred_contact", "preferred contact is email but no email address was given"))
        if self.preferred_contact in (ContactMethod.phone, ContactMethod.text) and not self.phone:
            errors.append(("preferred_contact", f"preferred contact is {self.preferred_contact.value} but no phone number was given"))
        return errors

    def fingerprint(self) -> str:
        """Hash of the normalised body: a retry with the same idempotency key must carry the same one."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: LeadStatus
    reason: Annotated[ReasonText | None, BlankIsNone] = Field(
        default=None, description="Required for not_retained (why the person did not retain the lawyer)"
    )
    actor: str = Field(default="service", pattern=ACTOR_PATTERN, description='Who made the change, e.g. "bot", "staff:alice"')


class HistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event: str
    from_status: LeadStatus | None
    to_status: LeadStatus | None
    lawyer_id: int | None
    actor: str
    reason: str | None
    at: datetime


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    author: str
    text: str
    created_at: datetime


class LeadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    topic: Topic
    nlu_confidence: float | None
    handoff_reason: HandoffReason
    name: str
    email: str | None
    phone: str | None
    state: str | None
    zip: str | None
    preferred_contact: ContactMethod
    urgency: Urgency
    summary: str | None
    opposing_party: str | None
    consent_version: str
    consent_at: datetime
    status: LeadStatus
    queue: Queue
    lawyer_id: int | None
    lawyer: LawyerBrief | None
    lost_reason: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    days_to_close: float | None = Field(description="Days from creation to retained/not_retained/closed; null while open")
    pii_deleted_at: datetime | None


class LeadDetail(LeadOut):
    history: list[HistoryOut]
    notes: list[NoteOut]


class LeadPage(BaseModel):
    items: list[LeadOut]
    total: int
    page: int
    per_page: int


class FieldError(BaseModel):
    field: str
    message: str


class ErrorResponse(BaseModel):
    detail: str
    errors: list[FieldError] | None = None
