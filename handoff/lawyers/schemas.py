"""Request and response bodies for lawyers (pydantic 2), validated strictly at the boundary."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, field_validator

from ..leads.enums import Topic
from ..leads.validation import blank_to_none, clean_text, field_check, normalize_phone, normalize_state

Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(field_check(clean_text))]
Phone = Annotated[str, AfterValidator(field_check(normalize_phone))]
State = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(field_check(normalize_state))]
Language = Annotated[str, Field(min_length=2, max_length=40, pattern=r"^[A-Za-z][A-Za-z \-()]*$")]


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


class LawyerBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    firm: Annotated[Name | None, BeforeValidator(blank_to_none)] = None
    email: EmailStr
    phone: Annotated[Phone | None, BeforeValidator(blank_to_none)] = None
    practice_areas: list[Topic] = Field(min_length=1, max_length=len(Topic), description="LIST topics the lawyer takes")
    states: list[State] = Field(min_length=1, max_length=60, description="2-letter codes of states where licensed")
    languages: list[Language] = Field(default_factory=lambda: ["English"], max_length=20)
    reduced_fee: bool = Field(default=False, description="Member of the reduced-fee panel")
    is_legal_aid: bool = Field(default=False, description="A legal-aid organisation (takes the legal_aid queue; never auto-matched)")
    capacity: int = Field(default=10, ge=0, le=1000, description="Maximum number of open leads at once")
    active: bool = True

    @field_validator("practice_areas", "states", "languages")
    @classmethod
    def _dedupe(cls, values: list) -> list:
        return _unique(values)


class LawyerCreate(LawyerBase):
    pass


class LawyerUpdate(BaseModel):
    """Partial update: only the fields given are changed."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    firm: Annotated[Name | None, BeforeValidator(blank_to_none)] = None
    email: EmailStr | None = None
    phone: Annotated[Phone | None, BeforeValidator(blank_to_none)] = None
    practice_areas: list[Topic] | None = Field(default=None, min_length=1, max_length=len(Topic))
    states: list[State] | None = Field(default=None, min_length=1, max_length=60)
    languages: list[Language] | None = Field(default=None, max_length=20)
    reduced_fee: bool | None = None
    is_legal_aid: bool | None = None
    capacity: int | None = Field(default=None, ge=0, le=1000)
    active: bool | None = None

    @field_validator("practice_areas", "states", "languages")
    @classmethod
    def _dedupe(cls, values: list | None) -> list | None:
        return None if values is None else _unique(values)


class LawyerBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    firm: str | None
    email: str
    phone: str | None


class LawyerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    firm: str | None
    email: str
    phone: str | None
    practice_areas: list[str]
    states: list[str]
    languages: list[str]
    reduced_fee: bool
    is_legal_aid: bool
    capacity: int
    active: bool
    open_leads: int = Field(description="Leads assigned to the lawyer and not finished yet")
    last_assigned_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LawyerPage(BaseModel):
    items: list[LawyerOut]
    total: int
    page: int
    per_page: int
