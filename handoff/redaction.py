"""Remove personal data from user messages before they are stored as labels or become training data.

`redact(text)` returns the text with personal data replaced by placeholders:

    <EMAIL> <PHONE> <ADDRESS> <SSN> <CASE_NUMBER> <CARD_NUMBER> <DOB> <NAME>

What is detected (rules, not a model; tuned to keep legal vocabulary intact):
- e-mail addresses, including "name at gmail dot com";
- US phone numbers in the usual notations (toll-free hotline numbers and 911/988 are kept:
  they are public services, not a person's number);
- street addresses ("123 Main St Apt 4", "4417 w. elm avenue, Springfield, IL 62704", PO boxes);
  lower-case street names only next to a cue ("I live at ...") or with an unambiguous suffix;
- social security numbers (123-45-6789; nine digits after "SSN"/"social security number");
- case, docket, citation, claim, account, receipt and alien (A-) numbers: court-style patterns
  such as 2023-CV-001234 or 1:21-cv-04521, and any number-bearing token after such a keyword;
- payment card numbers (13-19 digits passing the Luhn check, or four groups of four digits);
- dates of birth (a date after "born", "DOB", "date of birth", "birthday"); other dates are kept;
- person names where detectable: "my name is X", "I'm X" / "I am X" (capitalised, not a common
  word), names after Mr/Mrs/Ms/Miss/Mx/Dr/Judge/Officer/Attorney..., after a relation ("my
  husband John", "my landlord, Mike Smith"), after "named"/"called", and names in sign-offs
  ("thanks, Maria", "Regards,\nJohn Smith", "- Tom").

Stdlib only and Python 3.10 compatible: the export script also runs in the bot environment.
Redacting twice gives the same text as redacting once.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

PLACEHOLDERS = ("EMAIL", "PHONE", "ADDRESS", "SSN", "CASE_NUMBER", "CARD_NUMBER", "DOB", "NAME")


def placeholder(kind: str) -> str:
    return f"<{kind}>"


_PLACEHOLDER_RE = re.compile(r"<(?:%s)>" % "|".join(PLACEHOLDERS))


@dataclass
class Redaction:
    text: str
    counts: Dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.counts)


# --- word lists ---------------------------------------------------------------------------------

# Capitalised words that follow "I'm"/"I am" or a relation word but are not names.
_NOT_NAMES = {
    w.lower()
    for w in """
    a an the and or but so not no yes just only also still very really being been getting going trying
    here there now currently afraid scared worried confused pregnant disabled unemployed homeless broke
    married divorced separated single widowed sorry sure ok okay fine good bad sick ill in on at from
    with without for about to of over under out up down back behind late early new old young
    american mexican canadian indian chinese korean japanese filipino vietnamese cuban haitian
    african black white hispanic latino latina asian native jewish muslim christian catholic
    citizen resident immigrant veteran student tenant landlord owner employee employer worker nurse
    teacher driver parent mother father mom dad husband wife son daughter grandmother grandfather
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december today tomorrow yesterday
    alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii
    idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
    minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania
    tennessee texas utah vermont virginia washington wisconsin wyoming york jersey carolina dakota
    hampshire mexico rhode island puerto rico dc
    court judge police cps dcfs ice uscis irs ssa ssi ssdi dmv hoa llc inc corp company bank
    social security medicaid medicare section chapter title form visa green card
    i me my mine we us our you your he him his she her they them their it its this that these those
    who what when where why how which whose someone somebody anyone everyone nobody
    is are was were be am has have had do does did will would can could should may might must
    mr mrs ms miss mx dr prof professor officer detective deputy sgt sergeant attorney atty rev reverend
    pastor nurse justice
    """.split()
}
# Of those, words that can still continue a name ("Darnell Washington", "Maria Jordan").
_SURNAME_OK = {
    w
    for w in """
    washington jordan georgia virginia carolina florida texas dakota montana indiana london paris
    black white brown young king queen
    """.split()
}
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}

# Common first names, used only where the context is weak and the text is lower case ("im maria").
# Names that are also ordinary words (will, may, june, mark, bill, grace, hope, ...) are left out.
_FIRST_NAMES = {
    w
    for w in """
    james john robert michael david richard joseph thomas charles christopher daniel matthew anthony
    donald steven paul andrew joshua kenneth kevin brian george timothy ronald jason edward jeffrey
    ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory
    alexander patrick jack dennis jerry tyler aaron jose adam nathan henry zachary douglas peter kyle
    noah ethan jeremy walter christian keith roger terry austin sean gerald carl harold dylan arthur
    lawrence jordan jesse bryan billy bruce gabriel joe logan alan juan albert willie elijah randy
    wayne vincent liam luis carlos miguel jorge mohammed muhammad ahmed ali omar
    mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty sandra
    margaret ashley kimberly emily donna michelle carol amanda melissa deborah stephanie dorothy
    rebecca sharon laura cynthia amy kathleen angela shirley brenda emma anna pamela nicole samantha
    katherine christine helen debra rachel carolyn janet maria catherine heather diane olivia julie
    joyce victoria ruth virginia lauren kelly christina joan evelyn judith andrea hannah megan cheryl
    jacqueline martha madison teresa gloria sara janice ann kathryn abigail sophia frances jean alice
    judy isabella julia denise amber doris marilyn danielle beverly natalie theresa diana brittany
    charlotte marie kayla alexis lori tiffany jasmine destiny latoya keisha tanya monique guadalupe
    rosa ana carmen sofia lucia fatima aisha priya
    """.split()
}

_RELATIONS = (
    r"(?:ex[- ]?)?(?:husband|wife|spouse|partner|boyfriend|girlfriend|fianc[eé]e?|"
    r"son|daughter|child|kid|baby|stepson|stepdaughter|stepdad|stepmom|stepfather|stepmother|"
    r"mother|father|mom|mum|dad|brother|sister|uncle|aunt|cousin|nephew|niece|grandma|grandpa|"
    r"grandmother|grandfather|grandson|granddaughter|in-law|mother-in-law|father-in-law|"
    r"landlord|landlady|roommate|neighbou?r|boss|manager|supervisor|employer|coworker|co-worker|"
    r"lawyer|attorney|caseworker|case worker|doctor|friend|tenant|client|contractor|teacher|"
    r"principal|coach|ex)"
)
_TITLES = (
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Judge|Justice|Officer|Detective|Deputy|Sgt|Sergeant|"
    r"Attorney|Atty|Rev|Reverend|Pastor|Father|Sister|Nurse)"
)
_NAME_WORD = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"  # Maria, O'Brien, Smith-Jones
_INITIAL = r"[A-Z]\.?"


def _is_name_word(word: str) -> bool:
    return word.lower() not in _NOT_NAMES


# --- rules ----------------------------------------------------------------------------------------

Rule = Tuple[str, "re.Pattern[str]", Callable[["re.Match[str]"], Optional[str]]]


def _replace_all(kind: str) -> Callable[["re.Match[str]"], Optional[str]]:
    return lambda m: placeholder(kind)


def _keep_group(kind: str, keep: str = "lead") -> Callable[["re.Match[str]"], Optional[str]]:
    """Replace the match but keep the named leading group (the cue words) as written."""
    return lambda m: (m.group(keep) or "") + placeholder(kind)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(m: "re.Match[str]") -> Optional[str]:
    raw = m.group(0)
    digits = re.sub(r"\D", "", raw)
    grouped = re.fullmatch(r"\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}", raw) is not None
    if 13 <= len(digits) <= 19 and (_luhn_ok(digits) or grouped):
        return placeholder("CARD_NUMBER")
    return None


_PUBLIC_NUMBERS = re.compile(r"^(?:1)?(?:800|888|877|866|855|844|833)")


def _phone(m: "re.Match[str]") -> Optional[str]:
    digits = re.sub(r"\D", "", m.group(0))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return None
    if _PUBLIC_NUMBERS.match(digits):  # toll-free: hotlines, agencies, companies
        return None
    return placeholder("PHONE")


_STREET_SUFFIX_STRONG = (
    r"(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|highway|hwy|parkway|pkwy|"
    r"terrace|ter|trail|trl|turnpike|tpke|expressway|expy)"
)
_STREET_SUFFIX_WEAK = r"(?:drive|dr|court|ct|way|place|pl|circle|cir|square|sq|alley|row|loop|path|pike|plaza|walk)"
_UNIT = r"(?i:\s*,?\s*(?:apt|apartment|unit|suite|ste|#|no\.?|room|rm|fl|floor|lot|bldg|building)\.?\s*#?\s*[A-Za-z]?\d+[A-Za-z]?\b)"
_DIRECTION = r"(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?\s+)"
_STREET_STOPWORDS = (
    r"(?!(?:the|a|an|on|in|at|to|of|for|my|his|her|their|our|your|per|and|or|by|with|from|into|"
    r"days?|weeks?|months?|years?|hours?|minutes?|miles?|dollars?|bucks|times|people|kids|cases?|"
    r"counts?|points?|tickets?|cars?|acres?|feet|ft|units?|percent|pounds|lbs|lanes?|ways?|dirt|gravel|"
    r"private|public|county|state|toll|two|four|six|mph|mile)\b)"
)
_STATE_ZIP = r"(?i:\s*,\s*[A-Za-z][A-Za-z .]{1,30}?\s*,?\s*(?:[A-Z]{2}|[A-Za-z]{4,14})\s*\d{5}(?:-\d{4})?)"

_ADDRESS_CAPITALISED = (
    r"\b\d{1,6}[A-Za-z]?\s+" + _DIRECTION.replace("(?:n|s|e|w", "(?:N|S|E|W|n|s|e|w") + r"?"
    r"(?:[A-Z][A-Za-z'-]*\.?\s+){0,3}?(?:[A-Z][A-Za-z'-]*|\d{1,3}(?:st|nd|rd|th))\s+"
    r"(?:Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Highway|Hwy|Parkway|Pkwy|Terrace|Ter|"
    r"Trail|Trl|Drive|Dr|Court|Ct|Way|Place|Pl|Circle|Cir|Square|Sq|Alley|Row|Loop|Path|Pike|Plaza|Walk)\b\.?"
    + _UNIT + r"?" + _STATE_ZIP + r"?"
)
_ADDRESS_LOWER_STRONG = (
    r"(?i:\b\d{1,6}[a-z]?\s+" + _DIRECTION + r"?(?:" + _STREET_STOPWORDS + r"[a-z][a-z'-]*\.?\s+){0,2}?"
    r"(?:" + _STREET_STOPWORDS + r"[a-z][a-z'-]*|\d{1,3}(?:st|nd|rd|th))\s+" + _STREET_SUFFIX_STRONG + r"\b\.?"
    + _UNIT + r"?" + _STATE_ZIP + r"?)"
)
_ADDRESS_CUED = (
    r"(?i:(?P<lead>\b(?:live|living|lives|lived|reside|resides|residing|located|address(?:\s+is)?|"
    r"moved|move|staying|stay|property|house|home|apartment|apt|unit|building)\s+(?:is\s+|at\s+|on\s+|to\s+|in\s+)?"
    r"(?:at\s+)?)\d{1,6}[a-z]?\s+" + _DIRECTION + r"?(?:[a-z][a-z'-]*\.?\s+){0,3}?"
    r"(?:" + _STREET_SUFFIX_STRONG + r"|" + _STREET_SUFFIX_WEAK + r")\b\.?" + _UNIT + r"?" + _STATE_ZIP + r"?)"
)

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|"
    r"" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r",?\s+\d{4})"
)

_CASE_KEYWORDS = (
    r"(?:case|docket|index|file|cause|matter|citation|ticket|summons|warrant|claim|policy|account|acct|"
    r"member|receipt|confirmation|reference|ref|booking|inmate|offender|dl|driver'?s\s+licen[cs]e|licen[cs]e|"
    r"plate|tag|vin|passport|alien|uscis|ein|tin|itin|medicaid|medicare|snap|ebt|id|identification|"
    r"tracking|order|invoice|loan|permit|badge|employee|student|patient|mrn|record)"
)
_NUMBER_WORD = r"(?:number|num|no\.?|nbr|#|id)"


def _case_number(m: "re.Match[str]") -> Optional[str]:
    token = m.group("num")
    if sum(ch.isdigit() for ch in token) < 3 or _PLACEHOLDER_RE.fullmatch(token):
        return None
    return m.group("lead") + placeholder("CASE_NUMBER")


_WORD_TOKEN = re.compile(r"(\s*)([^\s]+)")
_TRAILING_PUNCT = ".,;:!?)"


def _accept_strong(word: str, index: int) -> bool:
    """After a strong cue ("my name is"): any alphabetic word that is not a common word."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z'-]*", word) or word.lower() in _NOT_NAMES:
        return False
    if word.islower() and word.endswith(("ed", "ing", "ly")):
        return False
    return True


def _accept_capitalised(word: str, index: int) -> bool:
    if index > 0 and (re.fullmatch(_INITIAL, word) or word.lower().rstrip(".") in _NAME_SUFFIXES):
        return True
    if re.fullmatch(_NAME_WORD, word) is None:
        return False
    return _is_name_word(word) or (index > 0 and word.lower() in _SURNAME_OK)


def _accept_weak(word: str, index: int) -> bool:
    """After a weak cue ("I'm", "this is", a sign-off): capitalised, or a known first name."""
    if _accept_capitalised(word, index):
        return True
    return index == 0 and word.lower() in _FIRST_NAMES and word.lower() not in _NOT_NAMES


def _take_name(rest: str, accept: Callable[[str, int], bool], max_words: int = 3) -> Optional[Tuple[int, str]]:
    """(characters of `rest` that form a name, punctuation right after it) or None."""
    end = 0
    trailing = ""
    count = 0
    for m in _WORD_TOKEN.finditer(rest):
        if count == max_words:
            break
        token = m.group(2)
        bare = token.rstrip(_TRAILING_PUNCT)
        if count > 0 and bare.lower() in _NAME_SUFFIXES and token[len(bare):].startswith("."):
            bare += "."  # "Jr." is part of the name
        if not bare or _PLACEHOLDER_RE.fullmatch(bare) or not accept(bare, count):
            break
        count += 1
        end = m.start(2) + len(bare)
        trailing = token[len(bare):]
        if trailing:  # punctuation ends the name
            break
    if count == 0:
        return None
    return end, trailing


def _name_rule(accept: Callable[[str, int], bool], *, whole_rest: bool = False):
    def replace(m: "re.Match[str]") -> Optional[str]:
        lead, rest = m.group("lead"), m.group("rest")
        taken = _take_name(rest, accept)
        if taken is None:
            return None
        end, _ = taken
        remainder = rest[end:]
        if whole_rest and remainder.strip(_TRAILING_PUNCT + " \n"):
            return None  # a sign-off must end the message
        return lead + placeholder("NAME") + remainder

    return replace


_SIGNOFF = (
    r"(?i:thanks(?:\s+(?:so\s+much|again|in\s+advance))?|thank\s+you(?:\s+(?:so\s+much|again|in\s+advance))?|"
    r"regards|best\s+regards|kind\s+regards|warm\s+regards|best|sincerely|respectfully|cheers|"
    r"thx|ty|god\s+bless|blessings|signed|sent\s+by)"
)


RULES: List[Rule] = [
    # e-mail first: its digits and dots must not feed the number rules
    ("EMAIL", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), _replace_all("EMAIL")),
    (
        "EMAIL",
        re.compile(
            r"(?i)\b[a-z0-9._%+-]+(?:\s+dot\s+[a-z0-9_%+-]+)*\s*(?:\(at\)|\[at\]|\bat\b)\s*"
            r"(?:gmail|yahoo|hotmail|outlook|aol|icloud|live|msn|comcast|att|verizon|protonmail|proton|ymail|me)"
            r"\s*(?:\(dot\)|\[dot\]|\bdot\b|\.)\s*(?:com|net|org|edu|me)\b"
        ),
        _replace_all("EMAIL"),
    ),
    # date of birth: before phone/case rules eat the digits
    (
        "DOB",
        re.compile(
            r"(?i)(?P<lead>\b(?:born(?:\s+on)?|d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|bday|b-day)"
            r"(?:\s+(?:is|was|of|:))?\s*:?\s*(?:on\s+)?(?:the\s+)?)" + _DATE
        ),
        _keep_group("DOB"),
    ),
    # social security numbers
    ("SSN", re.compile(r"\b(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}\b"), _replace_all("SSN")),
    (
        "SSN",
        re.compile(
            r"(?i)(?P<lead>\b(?:ssn|ss#|ss\s+number|social(?:\s+security)?(?:\s+(?:number|no\.?|#))?)"
            r"(?:\s+(?:is|was|:))?\s*:?\s*#?\s*)\d{3}[- .]?\d{2}[- .]?\d{4}\b"
        ),
        _keep_group("SSN"),
    ),
    # payment cards (Luhn, or 4-4-4-4 groups)
    ("CARD_NUMBER", re.compile(r"\b\d(?:[ -]?\d){12,18}\b"), _card),
    # court-style docket numbers without a keyword: 1:21-cv-04521, 2023-CV-001234, 23CR1234
    (
        "CASE_NUMBER",
        re.compile(
            r"(?i)\b(?:\d{1,2}:)?\d{2,4}-?(?:cv|cr|civ|crim|dr|fa|fam|jv|juv|lt|sc|pr|cp|ca|tr|td|m|f|"
            r"cf|mm|ct|ap|bk|mj|mc|dv|ch|l|le|sp|ra|ev|rs)-?\d{3,8}(?:-[a-z]{1,5})*\b"
        ),
        _replace_all("CASE_NUMBER"),
    ),
    # immigration: A-numbers and USCIS receipt numbers
    ("CASE_NUMBER", re.compile(r"\b(?:A|a)[- #]?(?:\d{3}[- ]?\d{3}[- ]?\d{3}|\d{8})\b"), _replace_all("CASE_NUMBER")),
    ("CASE_NUMBER", re.compile(r"\b(?:EAC|WAC|LIN|SRC|NBC|MSC|IOE|YSC)\d{10}\b", re.I), _replace_all("CASE_NUMBER")),
    # a keyword, optionally "number/no./#", then a token with at least three digits
    (
        "CASE_NUMBER",
        re.compile(
            r"(?i)(?P<lead>(?:\b" + _CASE_KEYWORDS + r"|\ba-?number|\ba#|\balien\s+registration)\s*(?:" + _NUMBER_WORD + r")?\s*(?:is|was|:)?\s*[:#]?\s*)"
            r"(?P<num>(?=[A-Za-z0-9/:.-]*\d)[A-Za-z0-9][A-Za-z0-9/:.-]*[A-Za-z0-9])"
        ),
        _case_number,
    ),
    # phone numbers (after cards and case numbers so their digits are gone)
    (
        "PHONE",
        re.compile(
            r"(?<![\w$])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?!\w)"
        ),
        _phone,
    ),
    # addresses
    ("ADDRESS", re.compile(r"(?i)\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box)\s*#?\s*\d+\b"), _replace_all("ADDRESS")),
    ("ADDRESS", re.compile(_ADDRESS_CUED), _keep_group("ADDRESS")),
    ("ADDRESS", re.compile(_ADDRESS_CAPITALISED), _replace_all("ADDRESS")),
    ("ADDRESS", re.compile(_ADDRESS_LOWER_STRONG), _replace_all("ADDRESS")),
    # names
    (
        "NAME",
        re.compile(
            r"(?i)(?P<lead>\b(?:my\s+(?:full\s+|first\s+|last\s+|legal\s+|real\s+)?name\s+is|my\s+name'?s|"
            r"name\s*:)\s*)(?P<rest>[^\n]{1,80})"
        ),
        _name_rule(_accept_strong),
    ),
    (
        "NAME",
        re.compile(r"(?P<lead>\b" + _TITLES + r"\.?\s+)(?P<rest>[A-Z][^\n]{0,60})"),
        _name_rule(_accept_capitalised),
    ),
    (
        "NAME",
        re.compile(
            r"(?i:(?P<lead>\b(?:my|our|his|her|their|the)\s+(?:(?!" + _RELATIONS + r"\b)[a-z-]+\s+)?"
            + _RELATIONS + r"(?:'s)?\s*,?\s+(?:named\s+|called\s+|is\s+)?))(?P<rest>[A-Z][^\n]{0,60})"
        ),
        _name_rule(_accept_capitalised),
    ),
    (
        "NAME",
        re.compile(r"(?i:(?P<lead>\b(?:named|called|name\s+of|goes\s+by)\s+))(?P<rest>[A-Z][^\n]{0,60})"),
        _name_rule(_accept_capitalised),
    ),
    (
        "NAME",
        re.compile(r"(?i:(?P<lead>\b(?:i'?m|i\s+am|this\s+is|call\s+me)\s+))(?P<rest>[A-Za-z][^\n]{0,60})"),
        _name_rule(_accept_weak),
    ),
    # sign-offs that end the message: "thanks, Maria" / "Regards,\nJohn Smith" / "- Tom"
    (
        "NAME",
        re.compile(
            r"(?P<lead>(?:\b" + _SIGNOFF + r"\s*[,!.\n-]*\s*|(?:^|\n|\s)[-\u2013\u2014~]{1,2}\s*))"
            r"(?P<rest>[A-Za-z][A-Za-z' .-]{0,40}?\s*)$"
        ),
        _name_rule(_accept_weak, whole_rest=True),
    ),
]


def redact_with_counts(text: str) -> Redaction:
    if not text:
        return Redaction(text or "")
    counts: Counter = Counter()
    for kind, pattern, replace in RULES:

        def _sub(m: "re.Match[str]", kind: str = kind, replace=replace) -> str:
            if _PLACEHOLDER_RE.fullmatch(m.group(0).strip()):
                return m.group(0)
            result = replace(m)
            if result is None or result == m.group(0):
                return m.group(0)
            counts[kind] += 1
            return result

        text = pattern.sub(_sub, text)
    return Redaction(text, dict(counts))


def redact(text: str) -> str:
    """`text` with personal data replaced by placeholders such as <EMAIL> and <NAME>."""
    return redact_with_counts(text).text


def has_personal_data(text: str) -> bool:
    return redact_with_counts(text).changed
