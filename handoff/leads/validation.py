"""Field checks shared by the lead and lawyer schemas: phone numbers, states, ZIPs, free text."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable

from pydantic_core import PydanticCustomError

from .geo import US_STATES

_PHONE_CHARS = re.compile(r"^[0-9+().\-\s]{7,25}$")
_NANP = re.compile(r"^[2-9]\d{2}[2-9]\d{6}$")
_ZIP = re.compile(r"^\d{5}$")
# Control characters other than tab and newline have no place in names or summaries.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ACTOR_PATTERN = r"^[a-z][a-z_]{0,31}(:[A-Za-z0-9_.@+-]{1,64})?$"


def normalize_phone(value: str) -> str:
    """A US (NANP) or international number in E.164 form, e.g. "(212) 555-0142" → "+12125550142"."""
    raw = value.strip()
    if not _PHONE_CHARS.match(raw):
        raise ValueError("phone may contain only digits, spaces and + - . ( ) (7 to 25 characters)")
    if "+" in raw[1:]:
        raise ValueError("'+' may only start a phone number")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") and not digits.startswith("1"):
        if not 8 <= len(digits) <= 15:
            raise ValueError("international phone numbers have 8 to 15 digits after '+'")
        return "+" + digits
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ValueError("US phone numbers have 10 digits (area code + number); use +<country code> otherwise")
    if not _NANP.match(digits):
        raise ValueError("not a valid US phone number: area code and exchange cannot start with 0 or 1")
    return "+1" + digits


def normalize_state(value: str) -> str:
    code = value.strip().upper()
    if code not in US_STATES:
        raise ValueError("must be a 2-letter US state or territory code, e.g. CA")
    return code


def normalize_zip(value: str) -> str:
    code = value.strip()
    if not _ZIP.match(code):
        raise ValueError("ZIP code must be exactly 5 digits")
    return code


def clean_text(value: str, *, multiline: bool = False) -> str:
    text = value.strip()
    if "\x00" in text or _CONTROL.search(text):
        raise ValueError("must not contain control characters")
    if not multiline and ("\n" in text or "\r" in text):
        raise ValueError("must be a single line")
    return text


def blank_to_none(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


def field_check(check: Callable[[str], str]) -> Callable[[str], str]:
    """Wrap a check for pydantic: its ValueError message becomes the field's message as is
    (without pydantic's "Value error, " prefix)."""

    @functools.wraps(check)
    def wrapper(value: str) -> str:
        try:
            return check(value)
        except ValueError as exc:
            raise PydanticCustomError("value_error", str(exc)) from None

    return wrapper
