"""Does the person explicitly ask for a lawyer? A rule, not the classifier.

"I want to talk to a lawyer about my eviction" is a lawyer request that also names a topic. The topic classifier
(whose encoder is tuned to tell topics apart) reads it as housing and would answer with an article; the person
asked for a person. Like the safety rules, this check sits outside the model: an explicit request always reaches
the lawyer form, and the topic from the ranking still goes with the lead. Questions about lawyers ("do I need a
lawyer?", "my lawyer won't call me back") are not requests.
"""
from __future__ import annotations

import re

_LAWYER = r"(?:lawyer|attorney|legal aid|paralegal|advocate)s?"
_SOME = r"(?:(?:a|an|the|some|one|real|good|free|cheap|local|[a-z]+(?:-[a-z]+)?)\s+){0,3}"

_REQUESTS = [
    # talk / speak / chat / meet with a lawyer
    rf"\b(?:talk|speak|chat|meet|consult|get in touch)\s+(?:to|with)\s+{_SOME}{_LAWYER}\b",
    # I need / want / would like a lawyer (not "do I need a lawyer?")
    rf"(?<!\bdo )(?<!\bshould )(?<!\bwould )(?<!\bwill )\b(?:i|we)\s+(?:really\s+|just\s+|urgently\s+)?"
    rf"(?:need|want|would like|'d like|d like)\s+"
    rf"(?:to\s+(?:get|hire|find|have|see)\s+)?{_SOME}{_LAWYER}\b",
    rf"\b(?:i'?m|i am|we'?re|we are)\s+(?:trying to find|looking for|searching for)\s+{_SOME}{_LAWYER}\b",
    # connect / refer / put me with a lawyer; find / get me a lawyer
    rf"\b(?:connect|refer|put|match)\s+(?:me|us)\s+(?:with|to|in touch with)\s+{_SOME}{_LAWYER}\b",
    rf"\b(?:find|get|send)\s+(?:me|us)\s+{_SOME}{_LAWYER}\b",
    rf"\bhow\s+(?:do|can)\s+(?:i|we)\s+(?:get|find|hire|reach|contact)\s+{_SOME}{_LAWYER}\b",
    rf"\b(?:lawyer|attorney)\s+(?:referral|please)\b",
]
_NOT_A_REQUEST = re.compile(
    r"\b(?:don'?t|do not|dont|never|can'?t|cannot|can not|couldn'?t)\s+(?:\w+\s+){0,2}(?:need|want|afford|have)\b"
)
_PATTERNS = [re.compile(p) for p in _REQUESTS]


def asks_for_lawyer(text: str) -> bool:
    normalised = " ".join(text.lower().replace("\u2019", "'").split())
    if _NOT_A_REQUEST.search(normalised):
        return False
    return any(p.search(normalised) for p in _PATTERNS)
