"""Is a message English text the bot can work with? (stdlib only)

The classifier always picks *some* topic, even for "asdkj qwe" or a message in Spanish, so an
honest "I didn't understand" needs a check of its own: English almost always contains common
function words, and keyboard mashing has no vowels or long consonant runs.
"""
from __future__ import annotations

import re

COMMON_ENGLISH = set(
    """a about after all also am an and any are as at be because been but by can cant could did didnt do does
    dont for from get got had has have he her him his how i if im in is it its ive just know like me my no not
    now of on one or our out said she so some than that the their them then there they this to told too up us
    was we were what when where which who why will with would you your yes ok okay hi hello hey thanks please
    help need want lawyer landlord rent job boss work fired court ticket police divorce custody wife husband kids
    child son daughter mom dad money pay paid house car school visa green card insurance bill debt will estate""".split()
)
# Also words in Spanish, French or German: they don't show that a text is English.
COMMON_ENGLISH -= {"no", "me", "a", "in", "so", "am", "an", "as", "at", "do", "on", "us", "hi", "is", "will", "son"}
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
VOWELS = set("aeiouy")


def _looks_like_a_word(token: str) -> bool:
    if not token.isascii():
        return True  # judged by the share of common words instead
    if not VOWELS & set(token):
        return len(token) <= 2
    return not re.search(r"[^aeiouy]{5,}", token)


def understandable(text: str) -> bool:
    tokens = [t.lower() for t in WORD.findall(text or "")]
    if not tokens:
        return False
    if len(tokens) < 4:
        return all(_looks_like_a_word(t) for t in tokens) and any(t.isascii() for t in tokens)
    common = sum(t in COMMON_ENGLISH for t in tokens)
    mashed = sum(not _looks_like_a_word(t) for t in tokens)
    return common / len(tokens) >= 0.12 and mashed / len(tokens) < 0.3
