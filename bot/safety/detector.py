"""Rule-based safety guardrail: immediate danger, non-immediate abuse and high-stakes matters.

`assess(text)` runs on every free-text message (see bot/components/safety_guardrail.py) and
returns an `Assessment`:

* level "emergency": someone is in danger *now*: violence happening or threatened now
  (violence_now, threat_now), a weapon (weapon), self-harm or suicidal intent (self_harm), a child
  in danger now (child_danger), someone breaking in (intruder), being held or locked in (trapped),
  a fire (fire). The bot answers at once with 911 / 988 / the DV hotline.
* level "abuse": abuse that is not happening this minute: past or habitual violence
  (past_violence), threats made before (threats), stalking, a controlling partner (controlling),
  sexual abuse (sexual_abuse), abuse of a child (child_abuse), or abuse in general (abuse).
* `high_stakes`: criminal_charges, immigration_detention, court_deadline (a court date or legal
  deadline within 14 days), eviction_hearing. These names are the keys of
  bot.actions.messages.HIGH_STAKES_TEXT: keep them in step.

Why rules and not an NLU intent: the guardrail must hold when the classifier is wrong, must be
reviewable line by line, and must not be retrained away. Every rule below says why it exists.

How a message is read
1. `_normalize` lowercases, drops apostrophes ("he's" -> "hes"), expands contractions and lay
   spellings ("hes" -> "he is", "gonna" -> "going to", "rn" -> "right now", "tmrw" -> "tomorrow",
   common typos such as "hiting", "sucide"), and keeps sentence ends (" . ") and commas (" , ")
   as tokens, so that patterns never run across a sentence.
2. Each rule is a regular expression over the normalized text plus a small decision function
   that looks at the match's context: its sentence, its clause (the stretch between commas and
   words like "but", "because", "after") and the few words before it. `explain()` lists every
   rule with the reason it exists; `Assessment.rules` names the rules that fired (never text).
3. Context cues:
   - negation just before the match ("he did not hit me", "no one is breaking in", "i am not
     going to kill myself"); most rules also spell out subject + verb so that "he is not hitting
     me" simply does not match;
   - hypotheticals ("if he hits me again", "what if someone breaks in") are legal questions;
   - past / habitual cues ("last year", "used to", "every time he drinks") make violence
     non-immediate (abuse);
   - immediacy cues ("right now", "tonight", "outside my door", "on his way", "just hit me",
     "i am bleeding", "please help") make abuse immediate (emergency);
   - figurative speech is excluded by requiring a person as the subject and a person as the
     object of violence verbs ("this late fee is killing me" has no person subject, "killing it"
     no person object) and by explicit exclusions for idioms that do fit that shape ("my boss is
     going to kill me if i am late", "shoot me an email", "hit me up", "beat me at chess").
4. A long story is read sentence by sentence: past abuse early in the story stays "abuse", but
   "he is outside my door right now threatening me" at the end makes it an emergency. The
   abuser being present ("he is outside", "he is on his way") counts only in a message that
   also speaks of abuse, threats or fear.
5. A backstop catches phrasings no rule knows: an urgent plea ("please help", "someone help")
   next to a danger word ("gun", "hitting", "kill me") in one sentence.
6. court_deadline reads relative dates ("tomorrow", "on monday", "in 10 days", "next week") and
   calendar dates ("march 12", "3/10", "the 6th", relative to `today`) near a court/legal event.

Known limits (see bench/results/safety_guardrail.md): English only; recall on phrasings never
seen while writing the rules is far below the 100% on the test data (held-out rounds found
56-68% of new danger messages before fixes). Treat it as a safety net with known gaps: add every
miss found in logs or reviews to tests/data/safety/ and fix the rules.

Stdlib only: it runs in the Python 3.10 bot environment and may be imported by the app.
Typical messages take well under a millisecond (bench/safety_guardrail.py measures it).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Dict, List, Optional, Pattern, Tuple

EMERGENCY = "emergency"
ABUSE = "abuse"
NONE = "none"
HIGH = "high_stakes"

# Order in which categories are reported (most urgent first).
EMERGENCY_CATEGORIES = (
    "self_harm", "violence_now", "weapon", "threat_now", "child_danger", "intruder", "trapped", "fire",
)
ABUSE_CATEGORIES = (
    "past_violence", "threats", "stalking", "controlling", "sexual_abuse", "child_abuse", "abuse",
)
HIGH_STAKES_CATEGORIES = ("criminal_charges", "immigration_detention", "court_deadline", "eviction_hearing")

# Messages longer than this are cut (head and tail kept): the chat widget allows 5000 characters,
# the bound only protects the bot's latency against pasted documents.
MAX_CHARS = 20000


@dataclass
class Assessment:
    level: str = NONE  # "emergency" | "abuse" | "none"
    categories: List[str] = field(default_factory=list)
    high_stakes: List[str] = field(default_factory=list)
    # Ids of the rules that fired (never message text): for the benchmark and for debugging.
    rules: List[str] = field(default_factory=list, compare=False, repr=False)

    def as_dict(self) -> dict:
        return {"level": self.level, "categories": list(self.categories), "high_stakes": list(self.high_stakes)}


# =============================================================================================
# Normalization
# =============================================================================================

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'",
                         "\u201c": '"', "\u201d": '"', "\u2014": " , ", "\u2013": " "})

# Word -> replacement, applied token by token after apostrophes are removed.
_WORD_MAP: Dict[str, str] = {
    # contractions written without apostrophes (and with them, once the apostrophe is dropped)
    "hes": "he is", "shes": "she is", "im": "i am", "ive": "i have", "theyre": "they are",
    "youre": "you are", "thats": "that is", "whats": "what is", "theres": "there is", "heres": "here is",
    "its": "it is", "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "wasnt": "was not", "werent": "were not", "arent": "are not", "cant": "can not", "cannot": "can not",
    "couldnt": "could not", "wouldnt": "would not", "shouldnt": "should not", "wont": "will not",
    "havent": "have not", "hasnt": "has not", "hadnt": "had not", "aint": "is not", "theyve": "they have",
    "weve": "we have", "youve": "you have", "hed": "he would", "theyd": "they would", "whos": "who is",
    "someones": "someone is", "somebodys": "somebody is", "nobodys": "nobody is", "theyll": "they will",
    "youll": "you will", "noone": "no one", "wouldve": "would have", "couldve": "could have",
    "dnt": "do not", "didnt't": "did not", "doesn": "does", "isn": "is", "didn": "did", "don": "do",
    # chat spellings
    "gonna": "going to", "gunna": "going to", "gona": "going to", "goin": "going", "wanna": "want to",
    "wana": "want to", "gotta": "got to", "tryna": "trying to", "tryin": "trying", "u": "you", "ur": "your",
    "r": "are", "rn": "right now", "tn": "tonight", "bf": "boyfriend", "gf": "girlfriend", "hubby": "husband",
    "husbnd": "husband", "husban": "husband", "boyfreind": "boyfriend", "grilfriend": "girlfriend",
    "pls": "please", "plz": "please", "plse": "please", "ppl": "people", "cuz": "because", "coz": "because",
    "bc": "because", "becuz": "because", "thru": "through", "nite": "night", "tonite": "tonight",
    "2nite": "tonight", "2night": "tonight", "tmrw": "tomorrow", "tmr": "tomorrow", "tmrow": "tomorrow",
    "tmw": "tomorrow", "2morrow": "tomorrow", "2moro": "tomorrow", "tomorow": "tomorrow",
    "tommorow": "tomorrow", "tommorrow": "tomorrow", "tomorrrow": "tomorrow", "tomarrow": "tomorrow",
    "tues": "tuesday", "thurs": "thursday", "weds": "wednesday", "wensday": "wednesday",
    "wednsday": "wednesday", "wedensday": "wednesday", "thrusday": "thursday", "thursdy": "thursday",
    "firday": "friday", "fryday": "friday", "tuseday": "tuesday", "munday": "monday", "mondy": "monday",
    "dv": "domestic violence", "kiddo": "kid", "kiddos": "kids", "lil": "little", "ex's": "ex",
    "cops": "police", "cop": "police", "kms": "kill myself", "unalive": "kill", "exs": "ex",
    # typos of the words the rules look for
    "hiting": "hitting", "hittin": "hitting", "htting": "hitting", "beatin": "beating", "beatting": "beating",
    "chocking": "choking", "chokin": "choking", "chokeing": "choking", "strangleing": "strangling",
    "strangeling": "strangling", "stranggling": "strangling", "stabing": "stabbing", "punchin": "punching",
    "kickin": "kicking", "attaking": "attacking", "atacking": "attacking", "attackin": "attacking",
    "threating": "threatening", "threatning": "threatening", "threatining": "threatening",
    "thretening": "threatening", "threatenin": "threatening", "threatend": "threatened",
    "threatned": "threatened", "thretened": "threatened", "threaten": "threaten", "kil": "kill",
    "kiling": "killing", "killin": "killing", "murda": "murder", "breakin": "breaking", "brakeing": "breaking",
    "somone": "someone", "someome": "someone", "sumone": "someone", "sombody": "somebody",
    "somebdy": "somebody", "knive": "knife", "scard": "scared", "scaired": "scared", "sacred": "scared",
    "afriad": "afraid", "afaid": "afraid", "rite": "right", "rigth": "right", "rigt": "right", "riht": "right",
    "outsid": "outside", "daughther": "daughter", "daugter": "daughter", "childern": "children",
    "chilren": "children", "sucide": "suicide", "suicde": "suicide", "suiside": "suicide",
    "suacide": "suicide", "sucidal": "suicidal", "suicidle": "suicidal", "suisidal": "suicidal",
    "suicidial": "suicidal", "suicidel": "suicidal", "myslef": "myself", "myelf": "myself",
    "arested": "arrested", "arrestted": "arrested", "deportated": "deported", "eviciton": "eviction",
    "evicton": "eviction", "evection": "eviction", "evicition": "eviction", "hearring": "hearing",
    "cort": "court", "coart": "court", "immigation": "immigration", "imigration": "immigration",
    "gaurd": "guard", "polic": "police", "hurtin": "hurting", "stalkin": "stalking", "followin": "following",
}

# "hell shoot" is "he'll shoot" with the apostrophe lost: expanded only before a verb, so that
# "what the hell" or "ill" (sick) stay as they are.
_LL_VERBS = (
    "shoot|kill|hurt|stab|beat|burn|find|come|be|get|take|make|do|go|break|murder|choke|hit|never|end|"
    "show|cut|pay|lose|see|have|try|call|regret|ruin|put|leave|bring|keep|use|send|destroy|strangle|"
    "snap|slit|drown|rape|attack|pull|blow|smash|wait|really|definitely|actually|just|kidnap|run"
)
_LL_RE = re.compile(rf"\b(he|she|i|we)ll (?=(?:{_LL_VERBS})\b)")
_CONTRACTION_RE = re.compile(r"(\w)'(\w)")
_SENTENCE_END_RE = re.compile(r"(?:[.!?;:\n\r]+|\s{3,})")
_OTHER_PUNCT_RE = re.compile(r"[^a-z0-9/$ ,.]+")
_DECIMAL_RE = re.compile(r"(?<=\d)\.(?=\d)")
_SPACES_RE = re.compile(r" {2,}")
# "hes been", "shes said", "hes never hit me": the lost apostrophe stood for "has".
_HAS_RE = re.compile(
    r"\b(he|she|it|who|that|there|someone|somebody)s (?=(?:been|had|got|gotten|done|said|told|made|taken|left|gone|never|already|"
    r"threatened|pinned|choked|punched|hit|beaten|slapped|kicked|pushed|shoved|stalked|followed|broken|called|texted|sent|filed|"
    r"tried|started|stopped|moved|put|kept|hurt|raped|abused|attacked|strangled|grabbed|locked)\b)"
)
# "my husbands beating on me" is "my husband's beating on me" with the apostrophe lost.
_NOUN_IS_RE = re.compile(
    r"\b((?:my|our|her|his|the) (?:husband|wife|boyfriend|girlfriend|partner|ex|dad|mom|father|mother|brother|sister|son|daughter|"
    r"neighbor|neighbour|roommate|stepdad|stepfather|uncle|fiance|baby daddy|ex husband|ex wife|ex boyfriend|ex girlfriend))s "
    r"(?=\w+ing\b|going|gonna|here|outside|coming|trying|back|drunk|high|at |in |on |about|threatening|still|now|not|never)"
)
_SPLIT_S_RE = re.compile(r"\b(he|she|it|that|there|someone|somebody|who) s\b")


def _normalize(text: str) -> str:
    text = text.translate(_QUOTES).lower()
    text = _CONTRACTION_RE.sub(r"\1\2", text)
    text = _HAS_RE.sub(r"\1 has ", text)
    text = _DECIMAL_RE.sub("p", text)  # "3.5" stays one token instead of ending a sentence
    text = _SENTENCE_END_RE.sub(" . ", text)
    text = text.replace(",", " , ")
    text = _OTHER_PUNCT_RE.sub(" ", text)
    words = [_WORD_MAP.get(w, w) for w in text.split()]
    text = " " + " ".join(words) + " "
    text = _SPLIT_S_RE.sub(r"\1 is", text)
    text = _NOUN_IS_RE.sub(r"\1 is ", text)
    text = _LL_RE.sub(r"\1 will ", text)
    return _SPACES_RE.sub(" ", text)


# =============================================================================================
# Document: sentences, clauses and the cues read around a match
# =============================================================================================

class _Doc:
    __slots__ = ("text", "sent_starts", "sent_ends", "clause_starts", "clause_ends")

    def __init__(self, text: str) -> None:
        self.text = text
        starts, ends = [0], []
        for m in re.finditer(r" \. ", text):
            ends.append(m.start() + 1)
            starts.append(m.end() - 1)
        ends.append(len(text))
        self.sent_starts, self.sent_ends = starts, ends
        cstarts, cends = [0], []
        for m in re.finditer(r" \. | , | (?:but|however|although|though|because|so|then|while|until|since|after|before|anyway|also|plus|except) ", text):
            cends.append(m.start() + 1)
            cstarts.append(m.end() - 1)
        cends.append(len(text))
        self.clause_starts, self.clause_ends = cstarts, cends

    def sentence(self, pos: int) -> Tuple[int, int]:
        i = bisect_right(self.sent_starts, pos) - 1
        return self.sent_starts[i], self.sent_ends[i]

    def clause(self, pos: int) -> Tuple[int, int]:
        i = bisect_right(self.clause_starts, pos) - 1
        return self.clause_starts[i], self.clause_ends[i]

    def sentence_text(self, m: "re.Match") -> str:
        s, e = self.sentence(m.start())
        return self.text[s:max(e, m.end())]

    def clause_text(self, m: "re.Match") -> str:
        s, e = self.clause(m.start())
        return self.text[s:max(e, m.end())]

    def before(self, m: "re.Match", words: int, *, within: str = "clause") -> str:
        """The last `words` words before the match, not crossing the clause (or sentence) start."""
        start = (self.clause if within == "clause" else self.sentence)(m.start())[0]
        chunk = self.text[start:m.start()].split()
        return " " + " ".join(chunk[-words:]) + " " if words else " "

    def after(self, m: "re.Match", words: int) -> str:
        """The next `words` words after the match, within its sentence."""
        end = self.sentence(m.start())[1]
        chunk = self.text[m.end():max(end, m.end())].split()
        return " " + " ".join(chunk[:words]) + " "


# Negators that cancel a following trigger ("no one is breaking in", "i am not suicidal",
# "i do not want to kill myself"). Not when they belong to another phrase: "not sure",
# "can not breathe", "will not stop", "no matter", "not only".
_NEGATION_RE = re.compile(
    r" (?:not|never|no|nobody|no one|nothing|neither|nor|without|hardly|none|zero) "
    r"(?!(?:sure|know|knowing|stop|stopping|breathe|matter|only|just|even|anymore|longer|more|idea|clue|way|one else)\b)"
)
# "no longer" / "not anymore" after the trigger: "he does not hit me anymore" is caught by the
# rule shapes; "i am not suicidal anymore" by the negation before.
_HYPOTHETICAL_RE = re.compile(
    r" (?:if|whether|what if|in case|suppose|supposing|hypothetically|imagine|let us say|even if|unless|"
    r"when (?:someone|somebody|a person|you|people)|can (?:i|you|someone)|could (?:i|you)|is it (?:legal|illegal|a crime)|"
    r"would it be|what happens)(?: \w+)? $"
)
# Past or habitual: violence that is not happening this minute.
_PAST_RE = re.compile(
    r" (?:last (?:night|week|weekend|month|year|time|summer|winter|spring|fall|christmas|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)|yesterday|(?:days|weeks|months|years|year|month|week) ago|"
    r"a (?:few|couple of) (?:days|weeks|months|years) ago|used to|in the past|back then|back in|previously|"
    r"years back|when (?:we|i) (?:were|was)|in (?:19|20)\d\d|since (?:19|20)\d\d|during (?:our|the|my) "
    r"(?:marriage|relationship)|before we (?:split|separated|divorced|broke up)|once|twice|several times|"
    r"many times|\d+ times|a few times|in high school|as a (?:kid|child|teen|teenager)|when i was (?:a |\d|little|young|younger|pregnant)|"
    r"(?:back )?in (?:january|february|march|april|may|june|july|august|september|october|november|december)|"
    r"on (?:new years|christmas|thanksgiving|halloween|the fourth of july|my birthday|his birthday|her birthday)(?: eve| day)?|the night of|"
    r"(?:i|we|my \w+|a neighbou?r|someone) called (?:911|the police|the cops)|(?:the )?police (?:came|arrived|showed up|took him|took her)|"
    r"(?:was|got) arrested|went to the (?:er|hospital|emergency room)|took him away|took her away|pressed charges|filed a police report|reported it|"
    r"pled guilty|pleaded guilty|was charged|got charged|bailed out|got out of jail)(?= )"
)
_HABITUAL_RE = re.compile(
    r" (?:every (?:day|night|week|weekend|time|other day|single day)|all the time|always|whenever|sometimes|often|"
    r"constantly|regularly|usually|frequently|repeatedly|for (?:(?:\d+|a few|several|many|two|three|four|five|six|ten) )?(?:years|months|weeks|a long time)|"
    r"when (?:he|she) (?:drinks|is drunk|gets drunk|gets angry|gets mad|is high|gets high)|"
    r"has been|have been|had been|keeps|kept|anymore|any more|no longer|ever since|most nights|at times)(?= )"
)
# Immediacy: what makes abuse an emergency. Checked in the match's sentence.
_IMMEDIATE_RE = re.compile(
    r" (?:right now|as we speak|at the moment|at this moment|this (?:very )?(?:minute|second|moment)|currently|"
    r"tonight|today|this (?:morning|afternoon|evening)|just now|a (?:few )?(?:minutes?|min) ago|an hour ago|"
    r"\d+ (?:minutes?|mins?) ago|few minutes ago|in progress|as i (?:type|write|speak|text)|on (?:his|her|their|the) way|"
    r"coming (?:over|back|here|for me|to (?:get|find|kill|hurt) me)|outside (?:my|the|our) (?:front |back |bedroom )?"
    r"(?:door|house|home|apartment|window|room|car|building|place|work|job)|at (?:my|the|our) (?:front |back )?(?:door|window)|"
    r"(?:is|are) (?:here|inside|in the house|downstairs|upstairs|still here)|still (?:here|inside|in the house|hitting|there|outside)|"
    r"please help|help me please|somebody help|someone help|anyone help|help us|send help|i am bleeding|bleeding|"
    r"can not breathe|call (?:911|the police) for me|i am hiding|hiding (?:from|in)|locked (?:myself|us) in|"
    r"again right now|he is back|she is back|came back|just (?:showed|turned) up|just got (?:here|home|back|in)|just came (?:in|home|over|back|in the door)|"
    r"showed up (?:drunk|high|here|at my door)|broke in|kicked in (?:the|my) door|is banging|is pounding|will not let go|will not let me go|"
    r"is still (?:here|on me|hitting|holding)|are watching|is watching)(?= )"
)
# The strongest "now" cues: enough to escalate a habitual act ("he keeps showing up at my work") when
# the place words of _IMMEDIATE_RE are part of the described act itself.
_STRONG_NOW_RE = re.compile(
    r" (?:right now|as we speak|at the moment|at this moment|this (?:very )?(?:minute|second|moment)|currently|tonight|just now|"
    r"a (?:few )?(?:minutes?|min) ago|\d+ (?:minutes?|mins?) ago|as i (?:type|write|speak|text)|somebody help|"
    r"someone help|send help|i am hiding|i am bleeding|on (?:his|her|their) way)(?= )"
)
_FEAR_RE = re.compile(
    r" (?:scared|afraid|terrified|frightened|fear|fearing|worried|panicking|panicked|think|believe|know|sure)(?= )"
)
def _negated(doc: _Doc, m: "re.Match", words: int = 3) -> bool:
    return bool(words) and bool(_NEGATION_RE.search(doc.before(m, words)))


def _hypothetical(doc: _Doc, m: "re.Match") -> bool:
    return bool(_HYPOTHETICAL_RE.search(doc.before(m, 4, within="sentence")))


def _past(text: str) -> bool:
    return bool(_PAST_RE.search(text))


def _habitual(text: str) -> bool:
    return bool(_HABITUAL_RE.search(text))


def _immediate(text: str) -> bool:
    return bool(_IMMEDIATE_RE.search(text))


# =============================================================================================
# Vocabulary shared by the rules
# =============================================================================================

# People who abuse: partners, family, household. Also the pronouns.
_PERSON = (
    r"(?:husband|wife|spouse|partner|boyfriend|girlfriend|fiance|fiancee|ex(?: (?:husband|wife|boyfriend|girlfriend|"
    r"partner|spouse|fiance))?|baby (?:daddy|dad|mama|mom|father|mother)|step ?(?:dad|father|mom|mother|son|daughter|brother|sister)|"
    r"dad|father|mom|mother|brother|sister|son|daughter|parents?|(?:brother|father|mother|sister|son) in law|uncle|aunt|"
    r"cousin|grandson|grandfather|grandpa|nephew|roommate|room mate|abuser|attacker|stalker|"
    r"(?:kids|childrens|sons|daughters|childs) (?:dad|father|mom|mother)|(?:father|mother|dad|mom) of my (?:child|children|kids?|baby|son|daughter)|"
    r"family|in laws|man|guy|lover)"
)
_INTIMATE = rf"(?:he|she|(?<![\w ] )(?:ex|husband|wife|boyfriend|girlfriend|fiance|stepdad|stepfather|ex husband|ex wife|ex boyfriend|ex girlfriend)(?= )|(?:my|our|her|his|the|an|this) (?:(?:moms|mothers|dads|fathers|daughters|sons|sisters|brothers|kids|aunts|friends|nieces|cousins) )?(?:{_PERSON}))"
# Anyone at all (for violence happening now, a stranger counts as much as a partner).
_ANYONE = (
    rf"(?:{_INTIMATE}|someone|somebody|some (?:man|guy|woman|lady|person|people|dude|one|body)|"
    r"(?:a|an|this|that|the) (?:man|guy|woman|lady|person|stranger|intruder|burglar|robber|dude|drunk|group of \w+|gang)|"
    r"strangers|people|they|(?:my|our|the) (?:neighbou?r|neighbou?rs|landlord|coworker|co worker|boss|manager|friend|boss s \w+))"
)
# Subjects for whom "is going to kill me" is nearly always a figure of speech.
_FIGURATIVE_SUBJECT_RE = re.compile(
    r"\b(?:boss|manager|supervisor|teacher|professor|coach|mom|mother|mum|dad|father|parents|wife|landlord|"
    r"job|work|accountant|lawyer|attorney|editor|client|customer|grandma|grandmother|trainer|principal|this|that|it)\b"
)
# Conditions that make "he will kill me if ..." a real threat rather than hyperbole.
_SERIOUS_CONDITION_RE = re.compile(
    r"\b(?:leave|leaving|left|call|calling|police|911|tell|telling|told|report (?:him|her|it|this|them|to)|reporting (?:him|her|it)|court|divorce|custody|"
    r"kids|children|(?:find|finds|found|see|sees|saw|catch|catches|caught) (?:me|us|you|out where)|gets? (?:home|back|out)|"
    r"comes? (?:home|back|over)|testify|press|try|tries|escape|move out|restraining|protective|order|break up|go to (?:the|court|a)|"
    r"cheat|talk to|answer the door|open the door|do not come|dont come|am not home|stay)\b"
)
_REPORT_OR_FEAR_RE = re.compile(
    r"\b(?:says?|said|saying|told|tells|telling|threat\w*|swore|swears|promised|texted|texting|yell\w*|scream\w*|"
    r"shout\w*|wrote|warned|scared|afraid|terrified|frightened|fear\w*|worried|serious|seriously|means it|gun|knife|weapon)\b"
)

_FEAR_OR_THREAT_RE = re.compile(
    r"\b(?:scared|afraid|terrified|frightened|fear\w*|threat\w*|serious|seriously|means it|meant it|gun|knife|weapon|worried|help|"
    r"police|911|hiding|bleeding|hit me|hits me|beat me|beats me|abus\w*|violent)\b"
)
_JOKE_RE = re.compile(r"\b(?:lol|lmao|lmfao|haha\w*|hehe|jk|rofl|jokingly|joking|kidding)\b")

_ME = r"(?:me|us|myself and \w+|me and (?:my|the) \w+)"
_CHILD = (
    r"(?:(?:my|our|the|his|her|their|a|this) (?:(?:little|baby|newborn|infant|toddler|teenage|young|oldest|youngest|"
    r"\w+ year old|\d+ yr old|\d+ month old|two|three|four|2|3|4) )?(?:kid|kids|child|children|son|sons|daughter|"
    r"daughters|baby|babies|toddler|infant|boy|girl|stepson|stepdaughter|step son|step daughter|grandson|"
    r"granddaughter|grandkids|grandchild|grandchildren|niece|nephew|newborn|twins|little brother|little sister|baby brother|baby sister|"
    r"younger brother|younger sister|little ones?)|(?:my|our|the|his|her|a) (?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten) "
    r"(?:year|yr|month|week) old|the kids|the children|the baby)"
)
# Other adults who may be attacked in front of the writer (a neighbour beating his wife).
_OTHER = (
    r"(?:him|her|them|(?:my|his|her|their|our) (?:mom|mother|mum|dad|father|sister|brother|friend|roommate|"
    r"grandma|grandmother|grandpa|grandfather|wife|husband|girlfriend|boyfriend|partner|neighbou?r|aunt|uncle|"
    r"cousin|sister in law|mother in law|dog|cat))"
)
_MINOR_RE = re.compile(r"\b(?:(?:he|she) is (?:only |just )?(?:[1-9]|1[0-7])(?: years old| yrs old| year old)?(?= [.,]| and| but| ?$| years)|"
                       r"(?:a|my|our) (?:minor|teen|teenager|kid|child)\b|(?:[1-9]|1[0-7]) (?:years old|year old|yo)\b)")
_VICTIM = rf"(?:(?P<me>{_ME})|(?P<child>{_CHILD})|(?P<other>{_OTHER}))"

# Violence verbs in the progressive: "he is hitting me" is happening now.
_ACUTE_ING = (
    r"(?:hitting|beating(?: up)?|beatin|punching|kicking|choking|strangling|smothering|suffocating|stabbing|attacking|"
    r"assaulting|raping|slapping|shoving|dragging|throwing (?:things|stuff|objects|dishes|bottles|furniture|\w+) at|"
    r"pinning(?: down)?|slamming|biting|burning|headbutting|whipping|shaking|punching on|jumping|beating on|"
    r"pushing|hurting|pulling (?:my|the) hair of|holding (?:a \w+ )?(?:to|against))"
)
_VIOLENT_VERB = (
    r"(?:(?:find|hunt|track) (?:me|us|you) (?:down )?and (?:kill|hurt|shoot|stab|beat|murder)|"
    r"(?:take|grab|get|find) (?:me|us|you|the kids|the children|the baby|my \w+|our \w+|them) (?:\w+ )?and (?:kill|hurt|harm|beat|shoot|stab|murder) (?:me|us|you|them|him|her)|kill|murder|hurt|harm|shoot|stab|beat|strangle|choke|rape|attack|burn|cut(?! (?:me|us|you|him|her|them) (?:off|out|loose|a check|a deal|some slack|in))|drown|smother|suffocate|"
    r"break (?:my|your|his|her) (?:neck|legs?|arms?|face|jaw)|slit (?:my|your) throat|blow (?:my|your) (?:head|brains)|"
    r"beat (?:the \w+ out of|up)|put (?:me|us|you) in the (?:hospital|ground)|end (?:me|my life|you)|kidnap|take me out)"
)
_WEAPON = (
    r"(?:gun|guns|pistol|handgun|rifle|shotgun|firearm|revolver|ar ?15|glock|knife|knives|machete|blade|box cutter|"
    r"razor|weapon|baseball bat|bat|hammer|crowbar|axe|ax|tire iron|taser)"
)
_NOT_A_WEAPON_RE = re.compile(
    r"\b(?:glue|nail|staple|water|nerf|squirt|toy|spray|heat|radar|paint|bb|caulk|caulking|butter|putty|pocket|"
    r"top|hired|smoking|starting|jump the|stick to (?:my|his|her) ) ?(?:gun|guns|knife|knives)\b|\bbat (?:mitzvah|signal)\b"
)
_FRIGHTENING_RE = re.compile(
    r" (?:threat\w*|says|said|saying|says he|yell\w*|scream\w*|shout\w*|drunk|high|angry|mad|rage|raging|regret|staring|glaring|warning|"
    r"kill|shoot|stab|hurt|scared|afraid|terrified|fear|point\w*|wav\w*|loaded|loading|swinging|coming|outside|"
    r"right now|tonight|in (?:his|her) hand|at me|on me|to my|against my)(?= )"
)


def _re(pattern: str) -> Pattern:
    return re.compile(pattern)


# =============================================================================================
# Rules
# =============================================================================================

Decision = Optional[Tuple[str, str]]  # (level, category) or None


@dataclass(frozen=True)
class _Rule:
    rule_id: str
    regex: Pattern
    decide: Callable[[_Doc, "re.Match"], Decision]
    why: str


_RULES: List[_Rule] = []


def rule(rule_id: str, pattern: str, why: str):
    """Register a rule: `pattern` finds candidates; the decorated function decides in context."""

    def register(fn: Callable[[_Doc, "re.Match"], Decision]) -> Callable[[_Doc, "re.Match"], Decision]:
        _RULES.append(_Rule(rule_id, _re(pattern), fn, why))
        return fn

    return register


def _victim_category(m: "re.Match", *, now: bool) -> str:
    groups = m.groupdict()
    if groups.get("child"):
        return "child_danger" if now else "child_abuse"
    return "violence_now" if now else "past_violence"


def _now_or_past(doc: _Doc, m: "re.Match", now_category: str, past_category: str, *, habitual: bool = True) -> Decision:
    """Emergency unless the clause says it is past (or habitual) and nothing says it is happening now.

    `habitual=False` for states that last ("I have been locked in here for hours" is now)."""
    clause = doc.clause_text(m)
    sentence = doc.sentence_text(m)
    if (_past(clause) or (habitual and (_habitual(clause) or _habitual(doc.before(m, 3))))) and not _immediate(sentence):
        return ABUSE, past_category
    return EMERGENCY, now_category


def _past_or_now(doc: _Doc, m: "re.Match", past_category: str, now_category: str) -> Decision:
    """Abuse unless the sentence says it is happening now.

    A strong cue ("right now", "tonight", "please help") is enough; a weaker one ("showed up drunk",
    "at my door") only when nothing in the sentence places the events in the past ("last month")."""
    sentence = doc.sentence_text(m)
    if _STRONG_NOW_RE.search(sentence) and not (_past(doc.clause_text(m)) and not _STRONG_NOW_RE.search(doc.clause_text(m))):
        return EMERGENCY, now_category
    if _immediate(sentence) and not _past(sentence):
        return EMERGENCY, now_category
    return ABUSE, past_category


# --- violence happening now -------------------------------------------------------------------

_FIGURATIVE_AFTER_VIOLENCE_RE = re.compile(
    r"^ (?:at (?:chess|cards|pool|poker|games?|video games|\w+ball|tennis|golf|checkers|mario)|in (?:court|chess|"
    r"the (?:race|polls|game|election)|a (?:race|game))|to (?:it|the punch)|up (?:about|over) (?:it|this)|"
    r"(?:financially|emotionally|mentally|my (?:feelings|credit|case|chances|business|reputation)|(?:my )?feelings|with (?:these|this|the|his|her|their|all|those|that|fees|bills|paperwork|work|rent|questions)(?! (?:knife|gun|belt|bat|fists?|hands?|hammer|bottle))))"
)


@rule("violence_now:progressive", rf"\b(?P<subj>{_ANYONE}) (?:is|are) (?:(?:still|now|currently|again|literally|actually|really|just|even|like|always|constantly|forever|often|sometimes|usually) )?{_ACUTE_ING} {_VICTIM}\b",
      "Violence in the present progressive ('he is hitting me', 'hes choking me') is happening now; "
      "'always', 'every time he drinks', 'for years' make it habitual (abuse).")
def _violence_progressive(doc, m):
    if _FIGURATIVE_AFTER_VIOLENCE_RE.match(doc.after(m, 4)) or _hypothetical(doc, m) or _negated(doc, m, 2):
        return None
    if m.group("other") and m.group("other").endswith(("dog", "cat")):
        return EMERGENCY, "violence_now"
    if m.group("other") and _MINOR_RE.search(doc.sentence_text(m)):
        return _now_or_past(doc, m, "child_danger", "child_abuse")  # "... is hitting her, she's 15"
    return _now_or_past(doc, m, _victim_category(m, now=True), _victim_category(m, now=False))


@rule("violence_now:and_is", rf"\b(?:and|he|she|they) (?:is|are) (?:(?:still|now|again) )?{_ACUTE_ING} {_VICTIM}\b",
      "The subject said earlier in the sentence: 'he pinned me down and is hitting me'.")
def _violence_and_is(doc, m):
    if not m.group(0).startswith("and"):
        return None  # the subject forms are the progressive rule's
    if _FIGURATIVE_AFTER_VIOLENCE_RE.match(doc.after(m, 4)) or _hypothetical(doc, m) or _negated(doc, m, 2):
        return None
    if not re.search(rf"\b(?:{_INTIMATE}|someone|somebody|a (?:man|guy|woman|stranger)|they)\b", doc.before(m, 10, within="sentence")):
        return None
    return _now_or_past(doc, m, _victim_category(m, now=True), _victim_category(m, now=False))


@rule("violence_now:hands_on_neck", r"\b(?:(?:he|she|they) (?:is|has|has got|got) |(?:his|her|their) )(?:(?:both |his |her |their )?(?:hands?|arms?|knee|foot|belt|cord|rope) )"
      r"(?:is |are )?(?:around|on|over|against|pressing on) (?:my|our) (?:neck|throat|mouth|face|chest)\b",
      "'He's got his hands around my neck' is strangulation now.")
def _hands_on_neck(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if re.search(r"\b(?:had|put|used to)\b", doc.before(m, 2)):
        return _past_or_now(doc, m, "past_violence", "violence_now")
    return _now_or_past(doc, m, "violence_now", "past_violence")


@rule("violence_now:wont_stop", rf"\b(?:will not|wont|does not|doesnt|is not going to|refuses to|can not make (?:him|her|them)) stop {_ACUTE_ING} {_VICTIM}\b",
      "'He won't stop kicking me': the double negative is ongoing violence, not negation.")
def _wont_stop(doc, m):
    if _hypothetical(doc, m) or _FIGURATIVE_AFTER_VIOLENCE_RE.match(doc.after(m, 4)):
        return None
    if not re.search(rf"\b(?:{_ANYONE})\b", doc.before(m, 8, within="sentence")):
        return None
    return _now_or_past(doc, m, _victim_category(m, now=True), _victim_category(m, now=False))


@rule("violence_now:on_top", r"\b(?:he|she|they|someone|somebody|a (?:man|guy)|my \w+) (?:is|are|has been) (?:still )?(?:on top of|sitting on|lying on|kneeling on|straddling) (?:me|us)\b",
      "Someone on top of the writer now: assault in progress.")
def _on_top(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    return _now_or_past(doc, m, "violence_now", "past_violence")


@rule("violence_now:keeps", rf"\b(?P<subj>{_ANYONE}) (?:keeps|kept|will not stop|wont stop|just keeps|is still) {_ACUTE_ING} {_VICTIM}\b",
      "'He keeps slapping me and the kids are watching': repeated blows now, unless the sentence places them in the "
      "past or in a habit ('every time he drinks').")
def _keeps(doc, m):
    if _FIGURATIVE_AFTER_VIOLENCE_RE.match(doc.after(m, 4)) or _hypothetical(doc, m) or _negated(doc, m, 2):
        return None
    clause = doc.clause_text(m).replace(" keeps ", " ").replace(" kept ", " ")
    sentence = doc.sentence_text(m)
    if (_past(clause) or _habitual(clause) or " kept " in m.group(0) + " ") and not _immediate(sentence):
        return ABUSE, _victim_category(m, now=False)
    return EMERGENCY, _victim_category(m, now=True)


@rule("violence_now:killing", rf"\b(?P<subj>{_ANYONE}) (?:is|are) (?:(?:literally|actually|really|trying|going to) )?killing (?:me|us|{_CHILD})\b",
      "'He is killing me' is literal for a person subject; 'this fee is killing me' has no person subject, "
      "'my landlord is killing me with these fees' and 'my boss is killing me' are excluded as hyperbole.")
def _killing(doc, m):
    if _FIGURATIVE_SUBJECT_RE.search(m.group("subj")) or _FIGURATIVE_AFTER_VIOLENCE_RE.match(doc.after(m, 4)):
        return None
    after = doc.after(m, 3)
    if re.match(r"^ (?:with|over|on|here|lol|haha|lmao|by|slowly|financially|emotionally)\b", after):
        return None
    if _negated(doc, m, 2) or _hypothetical(doc, m):
        return None
    return EMERGENCY, "violence_now"


@rule("violence_now:passive", r"\b(?:i am|we are|i keep|i) (?:being|getting|gettin) (?:attacked|beaten(?: up)?|beat up|hit|punched|kicked|choked|"
      r"strangled|stabbed|assaulted|raped|shot at|dragged|jumped|mugged|followed|chased|held down)\b",
      "'I am being attacked / followed' describes the present; 'being followed' is stalking happening now.")
def _passive_now(doc, m):
    if _negated(doc, m, 2) or _hypothetical(doc, m):
        return None
    text = m.group(0)
    if re.match(r"^ by (?:a|the|another|an) (?:car|truck|vehicle|bus|driver|drunk driver|ball|bike|cyclist)", doc.after(m, 4)):
        return None
    if re.match(r"^ with (?!(?:a|an|his|her|the|their|my) (?:\w+ )?(?:knife|gun|bat|belt|hammer|bottle|fist|fists|hand|hands|pipe|stick|rock|brick|chair|"
                r"cord|wire|weapon|pan|shoe|phone|lamp|bottle)\b)", doc.after(m, 6)):
        return None  # "I keep getting hit with overdraft fees"
    if re.match(r"^ (?:down|off|out|in the back|by (?:a|the|another) (?:bill|lawsuit|fee|fine|tax))\b", doc.after(m, 4)):
        return None  # "I'm getting kicked off Medicaid"
    category = "threat_now" if ("followed" in text or "chased" in text) else "violence_now"
    if "followed" in text or "chased" in text:
        return _now_or_past(doc, m, category, "stalking")
    return _now_or_past(doc, m, category, "past_violence")


@rule("violence_now:just", rf"\b(?P<subj>{_ANYONE}) (?:just|literally just|has just|just now|only just) (?:hit|punched|slapped|kicked|choked|strangled|"
      rf"stabbed|shot|attacked|assaulted|beat|beat up|raped|shoved|pushed|threw (?:\w+ ){{1,2}}at|bit|burned|cut|smacked|slammed|grabbed|"
      rf"tried to (?:kill|choke|strangle|stab|hurt|shoot|drown|run over)) {_VICTIM}\b",
      "'He just hit me': it happened minutes ago and the person may still be there.")
def _just(doc, m):
    if _FIGURATIVE_AFTER_VIOLENCE_RE.match(doc.after(m, 4)) or re.match(r"^ (?:up|with (?:a|an|the) (?:bill|lawsuit|fee|fine))\b", doc.after(m, 4)):
        return None
    return EMERGENCY, _victim_category(m, now=True)


@rule("violence_now:i_just_got", r"\bi (?:(?:was|got|have been|ve been) just|just got|just been|just was|was just|got) "
      r"(?:hit|punched|stabbed|shot|attacked|beaten(?: up)?|beat up|assaulted|raped|choked|strangled|jumped|mugged|slapped|kicked)\b",
      "'I just got stabbed / I got shot': the injury is now. 'I got hit by a car' and 'got hit with a fee' are excluded.")
def _i_just_got(doc, m):
    after = doc.after(m, 4)
    if re.match(r"^ (?:down|in the back|a (?:text|message|look|glance)|with (?!(?:a|an|his|her|the) (?:knife|gun|bat|belt|hammer|bottle|pipe)\b)\w+ (?:fees?|taxes|bills?|lawsuit|charges?|fines?))\b", after):
        return None
    if re.match(r"^ (?:by (?:a|the|another|an|some) (?:car|truck|vehicle|bus|driver|drunk driver|ball|bike|cyclist|van|suv|uber|semi)|"
                r"with (?:a|an|another|the|these|late|extra|my) (?:bill|lawsuit|fee|fees|fine|charge|penalty|notice|ticket|tax|claim)|"
                r"up|on the job|at work|in (?:a|the) (?:car|accident|crash)|from behind)\b", after):
        return None
    if _negated(doc, m, 2) or _hypothetical(doc, m):
        return None
    if "just" not in m.group(0) and not _immediate(doc.sentence_text(m)):
        # "i got beat up in high school" is the past; "i got stabbed" with no time cue is taken as now.
        clause = doc.clause_text(m)
        if _past(clause) or _habitual(clause):
            return ABUSE, "past_violence"
        if re.search(r"\b(?:stabbed|shot)\b", m.group(0)):
            return EMERGENCY, "violence_now"
        return None
    return EMERGENCY, "violence_now"


@rule("violence_now:trying", rf"\b(?P<subj>{_ANYONE}) (?:is|are) (?:(?:still|now|literally|actually|really) )?(?:trying|attempting) to "
      rf"(?:kill|murder|strangle|choke|drown|smother|suffocate|stab|shoot|rape|hurt|attack|beat|run (?:me|us) over|run over)(?: {_VICTIM})?(?!\w)",
      "'He is trying to kill me' is happening now. 'My boss is trying to kill me with overtime' is hyperbole.")
def _trying(doc, m):
    if _FIGURATIVE_AFTER_VIOLENCE_RE.match(doc.after(m, 4)):
        return None
    if _FIGURATIVE_SUBJECT_RE.search(m.group("subj")) and not _REPORT_OR_FEAR_RE.search(doc.sentence_text(m)):
        return None
    if _negated(doc, m, 2) or _hypothetical(doc, m):
        return None
    return _now_or_past(doc, m, "child_danger" if m.groupdict().get("child") else "violence_now", "past_violence")


@rule("violence_now:rampage", rf"\b(?P<subj>{_INTIMATE}|someone|somebody) (?:is|are) (?:(?:drunk|high|angry|raging|out of control|going crazy|going nuts|"
      r"screaming|yelling) and )?(?:breaking|smashing|destroying|throwing|punching|kicking) (?:things|stuff|everything|the (?:furniture|dishes|"
      r"tv|windows?|doors?|walls?|house|place)|holes in the walls?|(?:my|our) (?:stuff|things|windows?|doors?|furniture|phone|tv))\b",
      "Someone smashing things in the home right now is escalating violence.")
def _rampage(doc, m):
    if _negated(doc, m, 2) or _hypothetical(doc, m):
        return None
    if _FIGURATIVE_SUBJECT_RE.search(m.group("subj")) and "landlord" in m.group("subj"):
        return None
    return _now_or_past(doc, m, "violence_now", "past_violence")


# --- threats -----------------------------------------------------------------------------------

_FUTURE = r"(?:(?:is|are) (?:going to|about to|coming to|on (?:his|her|their) way to|planning to|fixing to|gonna)|will|(?:is|are) (?:definitely|really|actually|literally) going to|might|could|may|would)"
_THREAT_OBJECT = rf"(?:{_VICTIM}|you|the (?:house|place|apartment)(?: down)?|my (?:house|car|apartment)(?: down)?)"
# After the verb: an object, or nothing but the end of the clause ("he says hell shoot", "... hurt them tonight").
_THREAT_END = r"(?= [.,]| (?:if|when|tonight|right now|and|for|once|too|again|soon|him|her|today|now)\b| ?$)"


@rule("threat_now:future", rf"\b(?P<subj>{_ANYONE}) (?P<modal>{_FUTURE}) (?:(?:really|actually|definitely|seriously|literally|just|probably|eventually|finally) )?"
      rf"(?P<verb>{_VIOLENT_VERB})(?: (?P<obj>{_THREAT_OBJECT})(?!\w)|{_THREAT_END})",
      "'I'm scared he's going to kill me', 'he will hurt me if I leave' are threats to life now. Excluded: "
      "'my boss is going to kill me if I'm late' (figurative subject or trivial condition, nothing says it is "
      "meant), 'might/could/would' without fear, and negation ('he is not going to hurt me').")
def _threat_future(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    sentence = doc.sentence_text(m)
    modal, subj, verb = m.group("modal"), m.group("subj"), m.group("verb")
    if modal in ("might", "could", "may", "would") and not _FEAR_RE.search(doc.before(m, 6, within="sentence")):
        return None
    if verb in ("cut", "harm", "hurt", "end you", "take me out", "kill", "murder", "attack", "beat") and not (m.group("obj") or "").strip():
        return None
    if verb == "burn" and not re.search(r"(?:house|place|apartment|car|me|us)", m.group(0)):
        return None
    after = doc.after(m, 12)
    cond = re.match(r"^ (?P<how>if|when|once|for|after|the minute|the moment)\b(?P<what>.*)", after)
    fear_or_threat = bool(_FEAR_OR_THREAT_RE.search(sentence))
    reporting = bool(_REPORT_OR_FEAR_RE.search(sentence))
    if _JOKE_RE.search(sentence) and not fear_or_threat:
        return None  # "he's gonna murder me for denting his car lol"
    if cond and not fear_or_threat:
        if cond.group("how") == "for" or not _SERIOUS_CONDITION_RE.search(cond.group("what")):
            return None  # "she is going to kill me when she sees the bill", "... for telling mom"
    if _FIGURATIVE_SUBJECT_RE.search(subj) and not fear_or_threat:
        return None  # "my boss is going to kill me"
    if _FIGURATIVE_AFTER_VIOLENCE_RE.match(after):
        return None
    if m.group("child") or re.search(r"\b(?:kids|children|baby|son|daughter)\b", verb):
        return EMERGENCY, "child_danger"
    # A threat reported in the past tense ("he said he would kill me") is abuse, unless immediate.
    pre = doc.text[doc.sentence(m.start())[0]:m.start()]
    if re.search(r"\b(?:said|told me|threatened|swore|texted me|texted|wrote|warned me|messaged me|once said|had said|has said|used to say)\b", pre) \
            and not re.search(r"\b(?:says|is saying|keeps saying|is telling me|tells me|just said|just told me|just texted|is texting|is yelling|is screaming|is shouting)\b", pre):
        # "he told me he would kill me if I left" is a threat made before (abuse); "he said he's going to
        # burn the house down with us inside" with nothing placing it in the past is a threat now.
        if modal in ("would", "might", "could", "may") or re.search(r"\b(?:has said|had said|once said|used to say|threatened|swore)\b", pre) \
                or _past(sentence) or _habitual(sentence) or re.search(r"\b(?:if|unless|when|once) (?:i|we|you)\b", sentence):
            # ... and so is a standing condition: "he said if I go to the cops he'll hurt my dog".
            return _past_or_now(doc, m, "threats", "threat_now")
        return EMERGENCY, "child_danger" if m.group("child") else "threat_now"
    if modal == "would":
        return _past_or_now(doc, m, "threats", "threat_now")
    return EMERGENCY, "threat_now"


@rule("threat_now:coming_to", rf"\b(?P<subj>{_ANYONE}) (?:is|are|just) (?:coming|on (?:his|her|their) way|heading|driving|headed|getting (?:his|her|their) friends|"
      rf"bringing (?:his|her|their) friends)(?: \w+){{0,6}} to (?:{_VIOLENT_VERB}) (?:{_VICTIM}|me up|us up|you)(?!\w)",
      "'He is coming back with his friends to beat me up': the threat is on its way.")
def _coming_to(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if _JOKE_RE.search(doc.sentence_text(m)):
        return None
    return EMERGENCY, "child_danger" if m.groupdict().get("child") else "threat_now"


@rule("threat_now:threatening", rf"\b(?P<verb>is threatening|are threatening|threatening|threatens|just threatened|has just threatened|keeps threatening|"
      rf"kept threatening|threatened|has threatened|have threatened|had threatened|has been threatening|was threatening|"
      rf"is saying|keeps saying|says|said|told me|tells me|is telling me|is yelling|is screaming|is shouting|just said|just told me|"
      rf"is texting me|just texted me|texted me|swore|swears|promised|wrote|warned me|posted) (?:that )?(?:(?:he|she|they|you) )?"
      rf"(?:(?:is|are) going to |will |would |to |was going to |is gonna |gonna |could |might )?(?:(?:really|actually) )?(?P<what>{_VIOLENT_VERB}) "
      rf"(?:(?P<obj>(?:himself|herself|themselves) and (?:me|us|the kids|my \w+)|{_THREAT_OBJECT}|him|her|himself|herself)(?!\w)|{_THREAT_END})",
      "Threats of violence: present ('says he will shoot', 'is threatening to kill me', 'just threatened me') is an "
      "emergency; past or repeated ('threatened to kill me last year', 'keeps threatening') is abuse. Threats to sue, "
      "evict or report are not violence and do not match.")
def _threatening(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    verb, obj = m.group("verb"), (m.group("obj") or "").strip()
    if obj in ("himself", "herself"):
        return None  # handled by the self-harm rules about other people
    if _FIGURATIVE_SUBJECT_RE.search(doc.before(m, 3)) and not re.search(r"threat", verb):
        # "my mom said she will kill me if i fail" is hyperbole; "my mom threatened to kill me" is not.
        return None
    after = doc.after(m, 12)
    cond = re.match(r"^ (?:if|when|once|for|after)\b(.*)", after)
    if cond and "threat" not in verb and not _SERIOUS_CONDITION_RE.search(cond.group(1)) and not _FEAR_RE.search(doc.sentence_text(m)):
        return None
    child = bool(m.groupdict().get("child"))
    present = verb in ("is threatening", "are threatening", "just threatened", "has just threatened", "is saying", "says",
                       "is yelling", "is screaming", "is shouting", "just said", "just told me", "is texting me",
                       "just texted me", "tells me", "is telling me", "swears")
    if verb == "threatening":
        before = doc.before(m, 2)
        present = not re.search(r"\b(?:was|were|been|kept|keeps|stop|started)\b", before)
    if present:
        clause = doc.clause_text(m)
        if (_past(clause) or _habitual(clause)) and not _immediate(doc.sentence_text(m)):
            return ABUSE, "child_abuse" if child else "threats"
        if re.search(r"\b(?:shoot|shot)\b", m.group("what")):
            return EMERGENCY, "weapon"
        return EMERGENCY, "child_danger" if child else "threat_now"
    return _past_or_now(doc, m, "threats", "child_danger" if child else "threat_now")


@rule("threat_now:threatening_me", r"\b(?P<pre>(?:\w+ ){0,3})(?:is |are |keeps |kept |was |been |just |has been |have been )?(?:threatening|threatened) (?:me|us)\b",
      "'He is outside threatening me' (present, with an immediacy cue) is an emergency; a bare or past "
      "'threatened me' is abuse. Threats with a lawsuit, eviction, the police or a bad review are not violence.")
def _threatening_me(doc, m):
    if _NEGATION_RE.search(" " + m.group("pre")):
        return None  # "nobody is threatening me"
    after = doc.after(m, 5)
    if re.match(r"^ (?:with (?:a |an |the |legal |small claims |)(?:lawsuit|suit|eviction|court|legal action|police|a bad|bad|collections?|"
                r"jail|arrest|deportation|ice|immigration|firing|termination|a fine|fines|fees|late fees|the law|my job|losing|"
                r"a lien|lien|repossession|foreclosure|cps|child protective|a report|reporting|sending|taking|a ticket)|"
                r"into|to (?:sue|evict|report|call|fire|take me to court|sell|tow|repossess|garnish|cut off|send|turn|close|cancel|"
                r"keep|withhold|raise|charge|file|post|tell|expose|leave|divorce|take (?:the|my|our) (?:kids|children|house|car|dog)))", after):
        return None
    subj_zone = doc.before(m, 6, within="sentence") + m.group(0)
    if re.search(r"\b(?:landlord|boss|manager|collector|company|bank|lender|creditor|employer|agency|school|hoa|lawyer|attorney|"
                 r"insurance|adjuster|contractor|customer|client|neighbou?r s lawyer|property manager|store)\b", subj_zone) and not re.search(
                     r"\b(?:gun|knife|weapon|kill|hurt|beat|shoot|stab)\b", doc.sentence_text(m)):
        return None
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if re.search(r"\b(?:stranger|coworker|co worker|customer|client|driver|man|guy|woman|lady|someone|somebody|neighbou?r|kid|student|"
                 r"teacher|classmate|tenant|roommate s \w+|security guard|guard|officer|police)\b", subj_zone) and not re.search(rf"\b{_INTIMATE}\b", subj_zone):
        # Threats by a stranger or a coworker are a legal question unless they are happening now.
        return (EMERGENCY, "threat_now") if _immediate(doc.sentence_text(m)) else None
    if not re.search(r"\b(?:kill\w*|hurt\w*|hit\w*|beat\w*|gun|guns|knife|weapon|scared|afraid|terrified|violent|abus\w*|safe|police|911|restraining|"
                     r"protective|stalk\w*|harass\w*|punch\w*|choke\w*|shov\w*|push\w*|attack\w*|burn|rape|threw|screams?|screaming|yell\w*|outside|door)\b", doc.text):
        return None  # "my cousin keeps threatening me, saying I'm stealing": a dispute, not danger
    if re.search(r"\b(?:keeps|kept|has been|have been|been|always)\b", m.group(0)) and not _STRONG_NOW_RE.search(doc.clause_text(m)):
        return ABUSE, "threats"
    return _past_or_now(doc, m, "threats", "threat_now")


@rule("threat_now:you_will_die", r"\b(?P<verb>says|said|told me|tells me|is saying|keeps saying|texted|texted me|is yelling|is screaming|just said|wrote|warned me)"
      r"(?: that)?(?: (?:tonight|today|right now|soon))? (?:i am|i m|im|i will|you are|you will|we are|we will) (?:going to |gonna )?(?:die|be dead|not (?:live|survive|make it)|"
      r"never see (?:tomorrow|the morning))\b|\bthis is (?:my|your|our) last (?:night|day)\b",
      "'He told me tonight I'm going to die', 'he says I won't make it through the night'.")
def _you_will_die(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m) or _JOKE_RE.search(doc.sentence_text(m)):
        return None
    if re.search(r"\b(?:doctor|doctors|nurse|hospital|cancer|disease|illness|hospice|diagnos\w*)\b", doc.sentence_text(m)):
        return None  # a medical prognosis
    verb = m.group("verb") or ""
    if verb in ("said", "told me", "texted", "texted me", "wrote", "warned me") and (_past(doc.sentence_text(m)) or _habitual(doc.sentence_text(m))):
        return _past_or_now(doc, m, "threats", "threat_now")
    return EMERGENCY, "threat_now"


@rule("threat_now:fuel", r"\b(?:poured|pouring|is pouring|spilled|splashed|splashing|spraying) (?:gas|gasoline|lighter fluid|kerosene|fuel|alcohol|bleach)(?: \w+){0,4} "
      r"(?:on|over|around|all over|in) (?:me|us|the|my|our|him|her)|\b(?:threatening|threatens|is going|going|about) to (?:light|set|burn)(?: \w+){0,3} (?:it|the house|the place|the apartment|me|us|the room|everything)(?: on fire| down| up)?\b",
      "Fuel poured out, or a threat to set the home or a person alight.")
def _fuel(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    text = m.group(0)
    if text.startswith(("threatening", "threatens", "is going", "going", "about")) and not re.search(
            rf"\b(?:{_ANYONE}|gas|gasoline|lighter|match|matches|fire)\b", doc.before(m, 8, within="sentence") + doc.after(m, 6)):
        return None
    if re.search(r"\b(?:candle|candles|grill|bbq|fireplace|fire pit|stove|cigarette|trash|leaves)\b", doc.sentence_text(m)):
        return None
    return _now_or_past(doc, m, "threat_now", "threats")


@rule("threat_now:fear_for_life", r"\b(?P<tense>fear|afraid|scared|terrified|feared|was afraid|was scared|feared|worried) (?:for )?(?:my|our) (?:life|lives|safety)\b",
      "'I fear for my life' is a present danger report; 'I feared for my life when he attacked me' is past (abuse).")
def _fear_for_life(doc, m):
    if _negated(doc, m, 2):
        return None
    if m.group("tense") in ("feared", "was afraid", "was scared") or _past(doc.clause_text(m)):
        return _past_or_now(doc, m, "abuse", "threat_now")
    return EMERGENCY, "threat_now"


@rule("threat_now:not_safe", r"\b(?:i am|we are|i do not feel|we do not feel|i dont feel|me and my kids are|my kids and i are) (?:not safe|in danger|unsafe)"
      r"(?P<where> (?:right now|here|tonight|at home|in (?:my|our|this) (?:own )?(?:home|house)|with (?:him|her|my \w+)|around (?:him|her)|anymore))?\b",
      "'I am not safe right now / I am in danger' is a direct danger report. 'Not safe in my apartment because of "
      "mold' and 'in danger of losing my home' are housing matters.")
def _not_safe(doc, m):
    after = doc.after(m, 6)
    if re.match(r"^ (?:of |because of (?:the )?(?:mold|lead|asbestos|pests|roaches|mice|rats|repairs|the building|the stairs|the wiring|"
                r"no heat|the heat|the landlord)|to (?:live|drive|work|stay|use|drink)|financially|legally|at work|on the job|in (?:my|this|the) "
                r"(?:building|apartment|unit|job|workplace|neighborhood|car))", after):
        return None
    if _hypothetical(doc, m):
        return None
    if "do not feel" in m.group(0) or "dont feel" in m.group(0):
        return _past_or_now(doc, m, "abuse", "threat_now")
    return EMERGENCY, "threat_now"


@rule("threat_now:hiding", r"\b(?:i am|we are|i am currently|me and my kids are|im) hiding (?:from (?:him|her|them|my \w+)|in (?:the|my|a|our) "
      r"(?:\w+ )?(?:bathroom|closet|room|bedroom|car|basement|attic|garage|shed|laundry room)|under|upstairs|downstairs)",
      "Hiding from someone or in a locked room means danger now.")
def _hiding(doc, m):
    if _negated(doc, m, 2) or _hypothetical(doc, m):
        return None
    return EMERGENCY, "threat_now"


_PRESENCE_SUBJ = rf"(?:{_INTIMATE}|someone|somebody|a (?:man|guy|stranger)|my abuser|my stalker|they)"


@rule("threat_now:presence", rf"\b(?P<subj>{_PRESENCE_SUBJ}) (?:is|are) (?:(?:now|still|right|currently|back|here|just) )*(?:outside|at (?:my|the|our) "
      r"(?:front |back )?(?:door|window|house|home|apartment|work|job|school|car)|inside|in (?:my|our|the) (?:house|home|apartment|yard|driveway|"
      r"building|hallway)|here|on (?:his|her|their) way(?: over| here| back)?|coming (?:over|back|here|home|for me|to (?:my|the|get|find))|"
      r"banging|pounding|kicking|parked (?:outside|across)|waiting (?:outside|for me)|watching (?:me|my|the house)|following me|back(?= (?:again|here|at|outside|and|[.,])| ?$))\b",
      "The abuser being here now ('he is outside my door', 'he is on his way') is an emergency when the message "
      "also speaks of abuse, threats or fear; on its own ('my ex is coming over to get the kids') it is not.")
def _presence(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    subj = m.group("subj")
    if re.search(r"\b(?:landlord|boss|manager|police|officer|sheriff|process server|mailman)\b", subj):
        return None
    sentence = doc.sentence_text(m)
    # "following me" / "watching me" are stalking even without other cues.
    if re.search(r"\b(?:following me|watching (?:me|my|the house))\b", m.group(0)):
        return _now_or_past(doc, m, "threat_now", "stalking")
    if re.search(r"\b(?:abuser|stalker)\b", subj):
        return EMERGENCY, "threat_now"
    family = bool(re.search(r"\b(?:family|parents?|in laws|son|daughter|mom|mother|dad|father|brother|sister|uncle|aunt|cousin|grandson|grandfather|grandpa|nephew)\b", subj))
    if (_FRIGHTENING_RE.search(sentence) and re.search(r"\b(?:threat\w*|kill|shoot|stab|hurt|scared|afraid|terrified|fear|gun|knife|"
                                                       r"drunk|high|angry|rage|won t leave|will not leave|refuses to leave|"
                                                       r"trying to get in|break|banging|pounding|yell\w*|scream\w*)\b", sentence)):
        return EMERGENCY, "threat_now"
    if family:
        return None  # "my son is coming over", "my family is back home": only with a threat in the same sentence
    return "context", "threat_now"  # resolved by `assess`: an emergency if the message speaks of abuse


# --- backstop: an urgent plea next to a danger word -------------------------------------------------

_PLEA_RE = re.compile(
    r"(?:^|[ .,])(?:please help|pls help|help me please|help me now|help us|somebody help|someone help|anyone help|send help|"
    r"call (?:911|the police|the cops) for me|i need help now|i need help right now|help help|sos|hurry)(?=[ .,]|$)|"
    r"^ help(?: me)? (?!(?:me )?(?:with|understand|to|find|figure|file|get|fill|know|out|decide|write|choose|pick|sort|learn)\b)"
)
_DANGER_WORD_RE = re.compile(
    r"\b(?P<violence>hitting|beating|punching|kicking|choking|strangling|attacking|hurting me|raping|stabbing|dragging|hit me|beat me|"
    r"punched me|choked me|attacked me|stabbed me|raped me|bleeding)\b|\b(?P<weapon>gun|knife|shooting|shot)\b|"
    r"\b(?P<threat>kill me|kill us|going to kill|will kill|threatening|coming for me|after me|following me)\b|"
    r"\b(?P<intruder>breaking in|break in|broke in|in my house|in the house|intruder)\b|\b(?P<self>kill myself|suicide|suicidal|end my life|want to die)\b|"
    r"\b(?P<trapped>locked in|trapped|locked me|won t let me leave|will not let me leave)\b"
)
_PLEA_FIGURATIVE_RE = re.compile(
    r"\b(?:fee|fees|bill|bills|rent|debt|debts|interest|loan|credit|taxes|tax|paperwork|lawyer|attorney|landlord|boss|job|work|"
    r"lawsuit|court|eviction|ticket|insurance|bank|collector|account|score|grade|exam|case|claim|benefits|deadline|lol|haha)\b"
)


@rule("backstop:plea", r"(?:^|[ .,])(?:please|pls|help|somebody|someone|anyone|send|call|i need|sos|hurry)\b",
      "Backstop for phrasings no other rule knows: an urgent plea ('please help', 'someone help', 'call 911 for me') in "
      "the same sentence as a danger word ('hitting', 'gun', 'kill me', 'breaking in', 'trapped') is an emergency. "
      "Not when the sentence is about money, work or a legal process ('please help, this late fee is killing me').")
def _plea(doc, m):
    s0, s1 = doc.sentence(m.start())
    sentence = doc.text[s0:s1]
    if m.start() != doc.text.find(m.group(0), s0):
        return None  # one decision per sentence
    plea = _PLEA_RE.search(sentence)
    if not plea:
        return None
    danger = _DANGER_WORD_RE.search(sentence)
    if not danger or _PLEA_FIGURATIVE_RE.search(sentence):
        return None
    if _NEGATION_RE.search(sentence[max(0, danger.start() - 14):danger.start() + 1]):
        return None
    if _past(sentence) and not _STRONG_NOW_RE.search(sentence):
        return None
    kind = danger.lastgroup
    return EMERGENCY, {"violence": "violence_now", "weapon": "weapon", "threat": "threat_now", "intruder": "intruder",
                       "self": "self_harm", "trapped": "trapped"}[kind]


# --- weapons -------------------------------------------------------------------------------------

@rule("weapon:pointing", rf"\b(?:is |are |was |keeps )?(?P<verb>pointing|aiming|waving|swinging|brandishing|pointed|aimed|waved|swung|brandished|pulled|pulls|"
      rf"held|holding|holds|put|putting|has|had|got|pressed|pressing) (?:a|an|his|her|the|their|my|our|this|that) (?:loaded )?(?P<weapon>{_WEAPON}) "
      r"(?:at|to|against|in|on|around) (?:me|us|my|our|the kids|his|her|him|them)\b",
      "A weapon pointed at or held to someone: now ('is pointing a gun at me') is an emergency, past "
      "('pulled a knife on me last year') is abuse.")
def _pointing(doc, m):
    if _NOT_A_WEAPON_RE.search(doc.text[max(0, m.start("weapon") - 12):m.end("weapon")]) or _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    verb = m.group("verb")
    if verb in ("pointing", "aiming", "waving", "swinging", "brandishing", "holding", "holds", "putting", "pressing", "has", "got"):
        if re.match(r" (?:was|were|kept) ", " " + (m.group(0).split(" ")[0]) + " "):
            return _past_or_now(doc, m, "threats", "weapon")
        return _now_or_past(doc, m, "weapon", "threats")
    # "he pointed a gun at me", "he put a knife to my throat": told right after it happened unless the
    # sentence places it in the past ("last year", "on new years eve", "I called 911 after ...").
    sentence = doc.sentence_text(m)
    if _past(sentence) or _habitual(sentence):
        return _past_or_now(doc, m, "threats", "weapon")
    return EMERGENCY, "weapon"


@rule("weapon:has", rf"\b(?P<subj>{_ANYONE}) (?:(?:just|now|also|still) )?(?P<verb>has|have|got|is holding|is carrying|is getting|went to get|is loading|loaded|"
      rf"grabbed|pulled out|pulled|just got|is waving|brought|took out|is sharpening|bought|keeps|owns|has got|is looking for|"
      rf"is going to get|went for|is reaching for|reached for|is cleaning|is playing with|is showing me|showed me|is sitting with|is walking around with|"
      rf"is carrying around|keeps touching) (?:(?:a|an|his|her|the|their|my|our|one of (?:his|her|the)|two|some|another) )?"
      rf"(?:loaded )?(?P<weapon>{_WEAPON})\b",
      "Someone with a weapon is an emergency when the message shows threat, fear, anger or immediacy "
      "('he has a gun and says hell shoot', 'she grabbed a knife'); owning a gun ('my husband has guns in the "
      "house, can he keep them after the divorce') is not.")
def _has_weapon(doc, m):
    if _NOT_A_WEAPON_RE.search(doc.text[max(0, m.start("weapon") - 12):m.end("weapon") + 8]):
        return None
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    verb = m.group("verb")
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:license|permit|registered|registration|legally|legal|allowed|rights|ban|banned|felon|felony|surrender|"
                 r"confiscat\w*|safe|locked up|hunting|collection|lease|landlord|concealed carry)\b", sentence) and not _immediate(sentence):
        return None
    if verb in ("is cleaning", "is playing with", "is showing me", "showed me", "is sitting with", "is walking around with", "is carrying around", "keeps touching") \
            and not _FRIGHTENING_RE.search(sentence):
        return None
    if verb in ("is getting", "went to get", "is loading", "loaded", "grabbed", "pulled out", "pulled", "is waving", "took out",
                "is sharpening", "is looking for", "is going to get", "went for", "is reaching for", "reached for", "is holding"):
        return _now_or_past(doc, m, "weapon", "threats")
    if _FRIGHTENING_RE.search(sentence) and not (_past(doc.clause_text(m)) and not _immediate(sentence)):
        return EMERGENCY, "weapon"
    return None


@rule("weapon:with", rf"\b(?P<subj>{_ANYONE}) (?:is |are |just |now )*(?P<verb>coming at (?:me|us)|came at (?:me|us)|coming (?:over|here|back|after me|for me|to (?:my|the|our) \w+)|"
      rf"came (?:over|here|back|after me|to (?:my|the|our) \w+)|showed up|shows up|is here|is outside|is at (?:my|the) (?:door|house|work|job)|"
      rf"chasing (?:me|us)|chased (?:me|us)|running at me|walking around|standing (?:outside|at|in)|(?:attacking|threatening|hitting|stabbing) (?:me|us|{_CHILD})|"
      rf"(?:is |are )?(?:following|after) (?:me|us))(?: \w+){{0,4}} with (?:a|an|his|her|the|their|my) (?:loaded )?(?P<weapon>{_WEAPON})\b",
      "Someone coming at me / showing up / outside with a weapon: now is an emergency.")
def _with_weapon(doc, m):
    if _NOT_A_WEAPON_RE.search(doc.text[max(0, m.start("weapon") - 12):m.end("weapon") + 8]):
        return None
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    return _now_or_past(doc, m, "weapon", "threats")


@rule("weapon:handling", rf"\b(?:is |are )?(?P<verb>sharpening|waving|holding|pointing|loading|swinging|brandishing|wielding|clutching|cocking|cleaning|playing with)"
      rf"(?: around)? (?:a|an|his|her|the|their|my) (?:loaded )?(?P<weapon>{_WEAPON})\b",
      "A weapon being handled now by someone ('he is in the kitchen sharpening a knife and saying tonight is the night') "
      "with threat, anger or immediacy in the sentence.")
def _handling(doc, m):
    if _NOT_A_WEAPON_RE.search(doc.text[max(0, m.start("weapon") - 12):m.end("weapon") + 8]) or _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    pre = doc.text[doc.sentence(m.start())[0]:m.start()]
    if not re.search(rf"\b(?:{_ANYONE})\b", pre) or re.search(r"\b(?:i am|i was|we are|we were)\s*$", pre):
        return None
    if re.search(r"\b(?:was|were|had been)\b", doc.before(m, 3)) and not _STRONG_NOW_RE.search(doc.sentence_text(m)):
        return _past_or_now(doc, m, "threats", "weapon")
    sentence = doc.sentence_text(m)
    if _FRIGHTENING_RE.search(sentence) or _immediate(sentence) or re.search(r"\b(?:tonight|night|staring|glaring|regret|die|dead|end)\b", sentence):
        return _now_or_past(doc, m, "weapon", "threats")
    return None


@rule("weapon:shot_at", r"\b(?:(?P<subj>he|she|they|someone|somebody|a (?:man|guy)|my \w+(?: \w+)?|people) (?:just )?(?:shot|fired|is shooting|are shooting|is firing|"
      r"are firing|started shooting|opened fire) (?:at|on|into) (?:me|us|my|our|the house|the car|him|her)|(?:i|we) (?:was|were|am|are|just got|got) (?:being )?shot at)\b",
      "Shots fired at the writer: an emergency unless placed in the past.")
def _shot_at(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if re.search(r"\b(?:police|officer|officers|deputy|cops)\b", m.group(0)) and _past(doc.sentence_text(m)):
        return None
    return _now_or_past(doc, m, "weapon", "threats")


@rule("weapon:armed_person", rf"\b(?:there is|there are|i see|we see|i saw|there s) (?:a|an|some|two|three|this) (?:\w+ )?(?:man|men|guy|guys|person|people|woman|stranger|kid|shooter)"
      rf" (?:with|holding|carrying|waving) (?:a|an|two|some|his|her) (?:\w+ )?(?P<weapon>{_WEAPON})\b",
      "An armed person nearby now.")
def _armed_person(doc, m):
    if _NOT_A_WEAPON_RE.search(doc.text[max(0, m.start("weapon") - 12):m.end("weapon") + 8]) or _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:movie|video|show|tv|game|photo|picture|range|hunting|store|shop|museum)\b", sentence):
        return None
    return _now_or_past(doc, m, "weapon", "threats")


@rule("weapon:threat_with", r"\b(?:threatening|threatened|threatens|threaten) (?:me|us|my \w+|the kids) with (?:a|an|his|her|the) (?P<weapon>" + _WEAPON + r")\b",
      "Threatened with a weapon: now is an emergency, before is abuse.")
def _threat_with_weapon(doc, m):
    if _negated(doc, m, 3):
        return None
    if m.group(0).startswith("threatening") and not re.search(r"\b(?:was|kept|keeps|been)\b", doc.before(m, 2)):
        return _now_or_past(doc, m, "weapon", "threats")
    return _past_or_now(doc, m, "threats", "weapon")


@rule("weapon:at_head", rf"\b(?P<weapon>{_WEAPON}) (?:is )?(?:to|at|against|pointed at|on) my (?:head|throat|neck|chest|face|back|temple|stomach)\b",
      "'A gun to my head' right now.")
def _at_head(doc, m):
    if _NOT_A_WEAPON_RE.search(doc.text[max(0, m.start() - 12):m.end()]) or _negated(doc, m, 3):
        return None
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:held|had|put|pressed|pointed|was|were)\b", doc.before(m, 3)) and (_past(sentence) or _habitual(sentence)):
        return _past_or_now(doc, m, "threats", "weapon")  # "I called 911 after he held a knife to my throat"
    return _now_or_past(doc, m, "weapon", "threats")


@rule("weapon:gunpoint", r"\b(?:at|by) (?:gun|knife) ?point\b",
      "Held at gunpoint / knifepoint.")
def _gunpoint(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if re.search(r"\b(?:was|were|got|had been|been)\b", doc.before(m, 4)):
        # "I was robbed at gunpoint": over, and not abuse unless a partner did it.
        if not re.search(rf"\b(?:{_INTIMATE})\b", doc.sentence_text(m)) or re.search(r"\b(?:robbed|mugged|carjacked|held up)\b", doc.before(m, 4)):
            return (EMERGENCY, "weapon") if _STRONG_NOW_RE.search(doc.sentence_text(m)) else None
        return _past_or_now(doc, m, "threats", "weapon")
    return _now_or_past(doc, m, "weapon", "threats")


@rule("weapon:shots", r"\b(?:someone is|somebody is|they are|he is|she is|people are|there are|there is|i hear|i heard|we hear|hearing) (?:shooting|shots|gunshots|gun shots|gunfire|firing|shooting at (?:me|us|the house|my \w+))\b",
      "Shooting happening now.")
def _shots(doc, m):
    if _negated(doc, m, 2) or _hypothetical(doc, m) or re.match(r"^ (?:a (?:movie|video|film|commercial)|hoops|pool|photos|pictures|for)\b", doc.after(m, 3)):
        return None
    return _now_or_past(doc, m, "weapon", "past_violence")


# --- intruders -----------------------------------------------------------------------------------

_INTRUDER_SUBJ = (
    r"(?:someone|somebody|some (?:one|body|man|guy|woman|person|people|dude|men)|(?:a|an|this|that|the) (?:man|guy|woman|person|stranger|"
    r"intruder|burglar|robber|dude|group of \w+)|people|strangers|men|they|he|she|my ex(?: \w+)?|my (?:husband|wife|boyfriend|girlfriend|"
    r"partner|abuser|stalker)|there is someone|there is somebody)"
)
_PLACE = r"(?:house|home|apartment|place|room|bedroom|door|front door|back door|window|windows|garage|basement|building|car|unit|trailer|yard|backyard)"


@rule("intruder:breaking_in", rf"\b(?P<subj>{_INTRUDER_SUBJ}) (?:is |are |keeps |kept |has been |just )?(?:(?:still|now|currently|literally) )?(?:trying to |attempting to |about to )?"
      rf"(?P<verb>breaking|break|getting|get|forcing|force|climbing|climb|sneaking|sneak|kicking|kick|busting|bust|prying|pry|smashing|smash|"
      rf"coming|come|breaking down|break down|kicking down|kick down|kicking in|kick in|jimmying|picking|pick|opening|open) "
      rf"(?P<rest>(?:in|into|inside|through|down|open|(?:their|his|her) way in(?:to)?)(?: (?:my|the|our|a|through the|through my) (?:\w+ )?{_PLACE})?|"
      rf"(?:my|the|our) (?:\w+ )?(?:door|window|lock|locks)(?: in| down| open)?)",
      "Someone breaking in right now ('somebody is trying to get in my back door right now'). Needs the present or "
      "'trying to'; 'someone broke into my car last week' (past), 'break into the market', 'get in touch' and "
      "'get into my account' do not count.")
def _breaking_in(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    text = m.group(0)
    verb, rest = m.group("verb"), m.group("rest")
    after = doc.after(m, 4)
    if re.match(r"^ (?:touch|trouble|contact|shape|line|the (?:market|industry|business|program|school|college|system|account|loop)|"
                r"tears|song|laughter|a sweat|debt|my (?:account|email|phone|computer|bank|accounts|facebook|instagram|credit|files|records)|"
                r"the (?:car lot|mall)|law school|college|court|a fight|an argument|the lease|the contract|contact)\b", after):
        return None
    if re.search(r"\b(?:account|email|phone|computer|bank|facebook|instagram|accounts|credit)\b", text):
        return None
    present = bool(re.search(r"\b(?:is|are|trying|attempting|about to|still|now|currently|keeps|kept|just)\b", text))
    if m.group("subj").startswith("there is"):
        present = True
    if verb in ("coming", "come", "opening", "open", "picking", "pick", "getting", "get") and not re.search(r"\b(?:trying|attempting|about to)\b", text) \
            and not rest.startswith(("in ", "into", "inside", "through")) and not (verb in ("picking", "pick") and re.search(r"\block", rest)):
        return None
    if verb in ("coming", "come", "get", "getting") and not (_immediate(doc.sentence_text(m)) or re.search(r"\b(?:trying|attempting|force|sneak)\b", text)
                                                            or re.search(r"\b(?:window|door|lock)\b", rest + after)):
        return None
    if re.match(r"^(?:in|into|inside|through)$", rest) and re.match(r"^ (?:\w+ )?(?:shoes|boots|jeans|horse|gloves|new)\b", after):
        return None
    if not present and not _immediate(doc.sentence_text(m)):
        return None
    if re.search(r"\b(?:landlord|property manager|maintenance|super|repairman|police|officers?|sheriff|repo)\b", doc.before(m, 4, within="sentence") + m.group("subj")):
        return None
    if _past(doc.clause_text(m)) and not _immediate(doc.sentence_text(m)):
        return None
    return EMERGENCY, "intruder"


@rule("intruder:broke_in", rf"\b(?P<subj>{_INTRUDER_SUBJ}) (?:just )?(?:broke|busted|kicked|smashed|forced|climbed|snuck|got|walked|barged|came|let (?:himself|herself|themselves)) (?:into|in|down|through|open|(?:my|the|our) (?:\w+ )?(?:door|window)|"
      rf"(?:their|his|her) way in)\b(?: (?:my|the|our) (?:\w+ )?{_PLACE})?(?P<rest>(?: \w+){{0,8}})",
      "'Someone broke in and is still inside', 'he just kicked in the door': the break-in is not over.")
def _broke_in(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    rest = m.group("rest")
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:landlord|property manager|maintenance|super|repairman|plumber|contractor|police|officers?|sheriff|inspector|roommate|"
                 r"boyfriend|girlfriend|husband|wife|son|daughter|kids?|dog|cat)\b", doc.before(m, 4, within="sentence") + m.group("subj")) \
            and not re.search(r"\b(?:scared|afraid|terrified|threat\w*|gun|knife|broke|kicked|smashed|forced|my ex|abus\w*|restraining)\b", sentence):
        return None
    if re.search(r"\b(?:walked|came|let)\b", m.group(0)) and not re.search(r"\b(?:will not leave|refuses to leave|won t leave|is still|are still|scared|afraid|"
                                                                          r"threat\w*|gun|knife|stranger|do not know|dont know|right now)\b", rest + " " + sentence):
        return None
    if re.search(r"\bjust\b", m.group(0)) or re.search(r"\b(?:still|is|are|inside|here|in the house|hiding|upstairs|downstairs|coming|will not leave|refuses)\b", rest) \
            or _immediate(doc.sentence_text(m)):
        if _past(doc.clause_text(m)) and not _immediate(doc.sentence_text(m)):
            return None
        if re.search(r"\b(?:car|truck|account|email|phone|computer|storage unit|shed|office|mailbox)\b", m.group(0) + rest[:25]) and not _immediate(doc.sentence_text(m)):
            return None
        return EMERGENCY, "intruder"
    return None


@rule("intruder:trying_door", r"\b(?:is |are |keeps |kept |just |now )*(?:trying|jiggling|rattling|testing|turning|shaking|pulling on) (?:the|my|our) (?:\w+ )?"
      r"(?:door|doors|doorknob|door knob|door handle|handle|window|windows|lock|locks)\b|\b(?:just )?(?:climbed|jumped|hopped) (?:over|through|in|into|up) "
      r"(?:my|the|our) (?:\w+ )?(?:fence|window|balcony|wall|gate|porch)\b",
      "Someone trying the door handles or climbing the fence now.")
def _trying_door(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    pre = doc.text[doc.sentence(m.start())[0]:m.start()]
    if not re.search(r"\b(?:someone|somebody|a (?:man|guy|woman|person|stranger)|he|she|they|people|my ex|men|guys)\b", pre):
        return None
    if re.search(r"\b(?:i|we) (?:am|are|was|were|keep|kept)?\s*$", pre) or re.search(r"\b(?:landlord|maintenance|super|repairman|kids|kid|dog|cat)\b", pre):
        return None
    if "climbed" in m.group(0) or "jumped" in m.group(0) or "hopped" in m.group(0):
        if not (re.search(r"\bjust\b", m.group(0)) or _immediate(doc.sentence_text(m)) or re.search(r"\b(?:is|are) (?:trying|in|inside|now)\b", doc.sentence_text(m))):
            return None
    if _past(doc.clause_text(m)) and not _immediate(doc.sentence_text(m)):
        return None
    return EMERGENCY, "intruder"


@rule("intruder:inside", rf"\b(?:there is|there are|theres|i think there is|i think someone is|someone is|somebody is|a (?:man|stranger|guy) is|"
      rf"someone s|some (?:man|guy) is|there s|an intruder is|(?:i )?(?:can )?hear (?:someone|somebody|a man|people|footsteps|voices|noises?|somebody walking|someone walking)) "
      rf"(?:(?:a|an|someone|somebody|some|strange|a strange|unknown|an unknown|two|several|people|men) )?(?:(?:man|men|guy|guys|person|people|stranger|strangers|intruder|intruders|woman) )?"
      rf"(?:is |are )?(?:(?:walking|moving|hiding|standing|creeping|going) (?:around )?)?(?:in|inside|downstairs|upstairs|in the|under|in my|in our|outside|at|on) "
      rf"(?:my |our |the )?(?:(?:kids|childrens|daughters|sons|baby s|babys|\w+ s|spare|guest|front|back|master) )?(?P<place>{_PLACE}|basement|attic|closet|kitchen|living room|hallway|porch|roof|crawl space)?",
      "Someone inside the home now, or strangers heard inside. Outside counts only with fear or threat in the sentence.")
def _inside(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    text = m.group(0)
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:landlord|maintenance|property manager|repairman|plumber|contractor|inspector|police|officer|sheriff|agent|worker)\b", sentence) \
            and not re.search(r"\b(?:scared|afraid|terrified|threat\w*|gun|knife|break\w*|attack\w*)\b", sentence):
        return None
    if re.search(r"\b(?:hear|footsteps|voices|noises?)\b", text):
        if re.search(r"\b(?:downstairs|upstairs|in|inside|basement|attic|kitchen|hallway|walking|moving)\b", text):
            return _now_or_past(doc, m, "intruder", "abuse")
        return None
    if not m.group("place"):
        if not re.search(r"\b(?:downstairs|upstairs|inside|under)\b", text):
            return None
    if re.search(r"\b(?:outside|at|on|porch|roof|yard|backyard)\b", text):
        if re.search(r"\b(?:scared|afraid|terrified|threat\w*|gun|knife|break\w*|trying|won t leave|will not leave|banging|pounding|"
                     r"looking in|peeking|staring|watching|night|am|pm|2|3|4|masked|mask|hood)\b", sentence):
            return _now_or_past(doc, m, "intruder", "stalking")
        return None
    if re.search(r"\b(?:there is|there are|there s|theres)\b", text) and not re.search(
            r"\b(?:someone|somebody|man|men|guy|guys|person|people|stranger|strangers|intruder|intruders|woman)\b", text):
        return None  # "there is mold in my apartment"
    if re.search(r"\b(?:living|staying|moved|squatting|squatter|renting|subletting|tenant|lives|rent)\b", sentence):
        return None  # "there is a man living in my basement" is a squatter / tenancy matter
    return _now_or_past(doc, m, "intruder", "abuse")


@rule("intruder:banging", rf"\b(?P<subj>{_INTRUDER_SUBJ}|{_INTIMATE}) (?:is |are |keeps |has been |keep )?(?:banging|pounding|knocking|kicking|beating|hammering) "
      r"on (?:my|the|our) (?:\w+ )?(?:door|doors|window|windows|wall)\b",
      "Someone pounding on the door: an emergency with a sign of threat (trying to get in, won't leave, fear); the "
      "landlord knocking for rent is not.")
def _banging(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:landlord|property manager|maintenance|police|officers?|sheriff|process server|collector|neighbou?r s kid|kids)\b", sentence) \
            and not re.search(r"\b(?:gun|knife|threat\w*|kill|hurt)\b", sentence):
        return None
    if re.search(r"\b(?:trying|scared|afraid|terrified|threat\w*|kill|hurt|gun|knife|won t leave|will not leave|refuses|break|screaming|"
                 r"yelling|drunk|ex|abuser|night|am|middle of the night|open up|let (?:him|her|them) in)\b", sentence):
        return _now_or_past(doc, m, "intruder", "stalking")
    return None


# --- being held / locked in ---------------------------------------------------------------------

_TRAP_PLACE = r"(?:room|bedroom|bathroom|closet|house|home|apartment|basement|attic|garage|car|trunk|shed|cellar|office|van|truck|motel|hotel room|cage|kitchen|here)"
_NOT_TRAP_RE = re.compile(
    r"\b(?:lease|contract|loan|job|marriage|timeshare|cycle|deal|plan|agreement|situation|subscription|mortgage|traffic|"
    r"rate|warranty|policy|membership|debt|account|phone plan|relationship|position|custody|case|process|system|the middle|"
    r"jail|prison|custody|detention|county|ice|immigration|hospital|psych|psychiatric|ward)\b"
)


@rule("trapped:locked_in", rf"\b(?P<subj>{_ANYONE}) (?:(?:just|has|had|have|now|used to|would|always|sometimes|often) )?(?P<verb>locked|locks|lock|is locking|has locked|barricaded|trapped|is trapping|tied|is holding|"
      rf"is keeping|chained|shut|is keeping) (?:{_ME}|{_CHILD}) (?:up )?(?:in|inside|into|up|in here|against|hostage|captive|prisoner)\b(?: (?:a|the|my|our|his|her|this) )?(?P<place>{_TRAP_PLACE})?",
      "Locked in / held by someone: now is an emergency; 'locks me in when he goes out' is habitual control "
      "(abuse); 'locked me out' (a lockout) and 'locked into a contract' do not match.")
def _locked_in(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    after = doc.after(m, 4)
    if _NOT_TRAP_RE.search(m.group(0) + after[:20]) and not m.group("place"):
        return None
    if m.group("verb") in ("is holding", "is keeping") and not re.search(r"\b(?:hostage|captive|prisoner|against)\b", m.group(0) + after):
        return None
    if m.group("verb") in ("locks", "lock"):
        if m.group("verb") == "lock" and not re.search(r"\b(?:used to|would|always|sometimes|often)\b", m.group(0)):
            return None
        return ABUSE, "controlling"
    return _now_or_past(doc, m, "child_danger" if m.groupdict().get("child") else "trapped", "controlling")


@rule("trapped:has_me", rf"\b(?P<subj>{_ANYONE}) (?:has|have|got|is keeping|are keeping|is holding|are holding) (?:me|us|(?P<child>{_CHILD})) (?:locked|trapped|tied up|tied|chained|"
      r"hostage|captive|prisoner|held|cornered|pinned)\b",
      "'He has me locked in the car', 'they are holding me hostage'.")
def _has_me(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if _NOT_TRAP_RE.search(doc.after(m, 4)) and not re.search(r"\b(?:hostage|captive|prisoner|tied|chained)\b", m.group(0)):
        return None
    return _now_or_past(doc, m, "child_danger" if m.group("child") else "trapped", "controlling")


@rule("trapped:i_am", rf"\b(?:i am|we are|i have been|i ve been|we have been|i am being|we are being|i got|im) (?:locked|trapped|stuck|being held|held|tied up|"
      rf"chained|kept|kidnapped|abducted|taken|barricaded)\b(?: (?P<where>in(?:side)?|up|against my will|against our will|hostage|captive|prisoner|here|"
      rf"in here|by (?:him|her|them|my \w+)|and)\b)?(?: (?:a|the|my|our|his|her|this))?(?: (?P<place>{_TRAP_PLACE})\b)?",
      "'I am locked in the bathroom', 'being held against my will'. Excluded: 'stuck in a lease', 'locked into a "
      "contract', 'held in jail' (a criminal matter), 'stuck in traffic'.")
def _i_am_trapped(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    after = doc.after(m, 5)
    text = m.group(0)
    if _NOT_TRAP_RE.search(text + after[:30]) and not m.group("place"):
        return None
    if re.match(r"^ (?:until|till|for (?:the |another |a |one |two |three |six |twelve |\d+ )?(?:more )?(?:years?|months?|more|rest)|to (?:a|the|my|this) (?:lease|contract|rate|plan))\b", after) \
            and not m.group("place"):
        return None  # "I'm locked in until next August" (a lease)
    if re.match(r"^ (?:a |an |this |my |the )?(?:lease|contract|loan|job|marriage|timeshare|cycle|deal|plan|agreement|situation|"
                r"subscription|mortgage|traffic|rate|bad|toxic|dead end|limbo|the system|the middle|a rut|rut)\b", after):
        return None
    if not (m.group("place") or m.group("where") or re.search(r"\b(?:kidnapped|abducted)\b", text)):
        return None
    if re.search(r"\b(?:stuck|kept|taken)\b", text) and not (m.group("place") or re.search(r"against|hostage|captive|prisoner|by", text)):
        return None
    if "locked" in text and m.group("place") and re.search(r"\blocked (?:in|inside)\b", text) and re.search(r"\b(?:myself|ourselves)\b", after):
        return None
    if re.search(r"\b(?:i locked myself|locked myself out|locked out)\b", doc.sentence_text(m)):
        return None
    return _now_or_past(doc, m, "trapped", "controlling", habitual=False)


@rule("trapped:cant_get_out", r"\b(?:i|we) (?:can not|am not able to|are not able to|have no way to) (?:get out|leave|escape|get away|open the door|call (?:anyone|for help|911|the police))\b",
      "'I can't get out' after the doors were locked or the keys taken.")
def _cant_get_out(doc, m):
    after = doc.after(m, 5)
    if re.match(r"^ (?:of (?:my|the|this|a|our|his|her) \w+|until|before|because of (?:the|my) (?:lease|contract)|without paying|early)\b", after):
        return None  # "I can't get out of my lease"
    sentence = doc.sentence_text(m)
    if not re.search(r"\b(?:locked|took (?:my|our) (?:keys|car keys|phone|car)|blocking|blocked|will not let|won t let|tied|trapped|nailed|barricaded|"
                     r"chained|holding the door|sitting in front of the door)\b", sentence):
        return None
    if re.search(r"\b(?:i|we) (?:locked|got locked) (?:myself|ourselves|us) out\b|\blocked out\b", sentence):
        return None
    if (_past(sentence) or _habitual(sentence) or re.search(r"\bwhen (?:i|we) (?:try|want)\b", sentence)) and not _STRONG_NOW_RE.search(sentence):
        return ABUSE, "controlling"  # "for 4 years he has blocked doorways so I can't leave the room"
    return EMERGENCY, "trapped"


@rule("trapped:wont_let_leave", rf"\b(?P<subj>{_ANYONE}) (?:will not|wont|is not letting|is not going to let|refuses to let|does not let|would not|"
      r"did not|never lets|will never let|keeps me from|is keeping me from|is stopping me from|wont let) (?:let )?(?:me|us|my \w+|the kids) "
      r"(?P<what>leave|go|out|get out|escape|leaving|going)\b",
      "'He won't let me leave' (being held now) is an emergency; with 'without him', 'to see my family' or "
      "'ever' it is a controlling partner (abuse). A boss who won't let me leave early, or a lease, do not count.")
def _wont_let_leave(doc, m):
    if _hypothetical(doc, m):
        return None
    subj = m.group("subj")
    if re.search(r"\b(?:boss|manager|supervisor|employer|company|school|teacher|landlord|principal|coach|hospital|doctor|airline|"
                 r"bank|police|officer|judge|court)\b", subj):
        return None
    if subj in ("they", "people") and re.search(r"\b(?:would not|did not|never)\b", m.group(0)) and not re.search(
            r"\b(?:gun|knife|threat\w*|hit|hurt|locked|scared|kidnap\w*|held)\b", doc.sentence_text(m)):
        return None  # "they wouldn't let me leave until I signed" (a sales pitch)
    after = doc.after(m, 6)
    if re.match(r"^ (?:early|work|my job|the job|on (?:time|vacation|break|lunch)|for (?:lunch|vacation|the day|break|work|a trip|the weekend)|"
                r"the (?:lease|contract|apartment lease|country|state|job|company|program|military)|my (?:lease|contract|shift)|"
                r"of (?:the )?(?:lease|contract)|before|until (?:my|the) (?:lease|shift|contract)|the country|the state|out of state|to (?:school|college|visit)|"
                r"with (?:the|my|our) (?:kids|children|son|daughter|baby))\b", after):
        return None  # employment, leases, custody travel
    if re.search(r"\b(?:did not|would not|never)\b", m.group(0)):
        return _past_or_now(doc, m, "controlling", "trapped")
    if re.search(r"\b(?:without (?:him|her)|alone|by myself|to (?:see|visit|go to|work)|ever|anywhere|the house without|with my friends|"
                 r"with friends|at night|on weekends)\b", after) or re.search(r"\b(?:never lets|does not let|keeps me from)\b", m.group(0)):
        return _past_or_now(doc, m, "controlling", "trapped")
    return _now_or_past(doc, m, "trapped", "controlling")


@rule("trapped:took_phone", rf"\b(?:{_INTIMATE}) (?:took|has|is holding|hid|broke|smashed|took away) (?:my|our) (?:phone|keys|car keys|phone and (?:my )?keys|keys and (?:my )?phone)"
      r"(?: and (?:my )?(?:phone|keys|car keys|id|wallet|money|passport))? (?:and|so) (?:i|we) (?:can not|cant|am not able to) (?:leave|get out|call|escape|go)\b",
      "Phone or keys taken so the person cannot leave or call for help: being held now.")
def _took_phone(doc, m):
    if _hypothetical(doc, m):
        return None
    return _now_or_past(doc, m, "trapped", "controlling")


# --- children in danger ---------------------------------------------------------------------------

@rule("child_danger:locked_in_car", rf"\b(?P<child>{_CHILD}|a (?:kid|child|baby|toddler|dog)|kids|children|my dog) (?:is|are|was|were|got|has been|have been|just got) "
      r"(?:(?:locked|trapped|stuck|left|shut) (?:alone |inside )?|alone |sitting alone |by (?:himself|herself|themselves) )in (?:a|the|my|his|her|our|their|this) (?:hot |locked |running )?(?:car|vehicle|truck|van|suv|pool|trunk)",
      "A child locked in a car (heat) is a 911 emergency.")
def _child_in_car(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    return _now_or_past(doc, m, "child_danger", "child_abuse")


@rule("child_danger:state", rf"\b(?P<child>{_CHILD}) (?:(?:got out|wandered off|ran off|ran out|slipped out|fell|climbed out|fell in|fell into the \w+) (?:and )?)?(?:is|are) (?:(?:not breathing|unconscious|unresponsive|drowning|choking|bleeding|overdosing|"
      r"missing|gone|in danger|in (?:the|a) (?:street|road|highway|freeway|middle of the road|water|pool|lake|river|canal)|on (?:the|a) (?:roof|ledge|highway|freeway|tracks)|"
      r"being (?:hurt|hit|beaten|abused|molested|attacked|taken|kidnapped|choked|touched)|with (?:a|an|some) (?:stranger|man|guy) who)"
      r"|(?:locked|trapped) (?:in|inside))(?P<rest>(?: \w+){0,3})",
      "A child not breathing, missing, or being hurt now. 'My son is missing school' is not.")
def _child_state(doc, m):
    if _negated(doc, m, 2) or _hypothetical(doc, m):
        return None
    text, rest = m.group(0), m.group("rest")
    if re.search(r"\b(?:missing|gone)\b", text):
        if re.match(r"^ (?!(?:since|for|and|right|now|,|\.|from|again|tonight|today|he|she|we)\b)\w", rest):
            return None  # "missing school", "gone to his dad s"
        if re.search(r"\b(?:custody|visitation|parenting time|with (?:his|her|their|my) (?:dad|mom|father|mother|ex|grandma|grandparents))\b", doc.sentence_text(m)):
            return None
    if re.search(r"\bbeing abused|being molested|being touched\b", text):
        return _past_or_now(doc, m, "child_abuse", "child_danger")
    if re.search(r"\bin danger\b", text) and re.match(r"^ of\b", rest):
        return None
    return _now_or_past(doc, m, "child_danger", "child_abuse")


@rule("child_danger:medical", rf"\b(?P<child>{_CHILD})(?: \w+){{0,5}}? (?:and )?(?:can not breathe|cant breathe|stopped breathing|is not breathing|is turning blue|turned blue|"
      r"is choking|is unconscious|is unresponsive|will not wake up|passed out|is having a seizure|is seizing|is convulsing|fell (?:in|into) the (?:pool|water|lake|river))\b",
      "A child not breathing, choking, unconscious: call 911.")
def _child_medical(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if re.search(r"\b(?:stopped breathing|turned blue|passed out|fell (?:in|into))\b", m.group(0)) and not (_immediate(doc.sentence_text(m)) or re.search(r"\b(?:just|and (?:is|can not|will not))\b", doc.sentence_text(m))):
        return None  # "a kid passed out at practice, admin shrugged" is a past event
    return _now_or_past(doc, m, "child_danger", "child_abuse", habitual=False)


@rule("child_danger:taken", rf"\b(?P<subj>someone|somebody|a (?:man|woman|stranger|guy)|(?:a|some) strangers?|they|he|she|my ex|(?:my|the|our) (?:\w+ )?(?:husband|boyfriend|ex))"
      rf" (?:just )?(?:kidnapped|abducted|snatched|grabbed|took|is taking|is kidnapping|has kidnapped|has abducted|drove off with|ran off with|took off with|"
      rf"left with|drove away with|is driving around with|is driving with|is trying to (?:take|grab|snatch|kidnap)|tried to (?:take|grab|snatch|kidnap)) (?P<child>{_CHILD})",
      "A stranger taking a child is an emergency. A parent keeping the children after a visit is a custody matter "
      "unless the message also shows danger.")
def _child_taken(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    subj = m.group("subj")
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:someone|somebody|stranger|a man|a woman|a guy)\b", subj) or re.search(r"\b(?:kidnapped|abducted|snatched)\b", m.group(0)):
        if _past(doc.clause_text(m)) and not _immediate(sentence):
            return None
        if re.search(r"\b(?:custody|visitation|court order|parenting plan|out of state|to (?:another|a different) state|moved)\b", sentence) and not _immediate(sentence):
            return None
        return EMERGENCY, "child_danger"
    if re.search(r"\b(?:drunk|high|gun|knife|threat\w*|kill|hurt|weapon|speeding)\b", sentence) and not _past(doc.clause_text(m)):
        return EMERGENCY, "child_danger"
    return None


@rule("child_danger:drunk_driving", rf"\b(?:drunk|high|wasted|intoxicated|drinking|under the influence|blacked out|passed out)\b(?: \w+){{0,4}} (?:(?:driving|drove off|is driving|left|took off|speeding) (?:\w+ )?(?:with|and has)|"
      rf"(?:has|took|is with|is watching|is alone with|alone with)) (?:{_CHILD}|the kids|my kids)",
      "A drunk or high driver with the children in the car right now.")
def _drunk_driving(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    return _now_or_past(doc, m, "child_danger", "child_abuse")


# --- self-harm ------------------------------------------------------------------------------------

_SELF_HARM_FIGURATIVE_AFTER_RE = re.compile(
    r"^ (?:of (?:embarrassment|shame|boredom|laughter|laughing|cringe)|laughing|from (?:embarrassment|boredom|laughing|laughter|the heat)|"
    r"working|to (?:pay|make|get|finish|meet|keep|find|prove)|trying to|over (?:this|that|it|the)|at (?:work|the gym|my job)|for (?:this|that|a|the|nothing|forgetting|being)|"
    r"with (?:work|worry|stress)|lol|haha|lmao|jk)\b"
)


@rule("self_harm:kill_myself", r"\b(?P<phrase>kill(?:ing)? myself|killed myself|end(?:ing)? my (?:own )?life|take (?:my|my own) life|taking my (?:own )?life|"
      r"end(?:ing)? it all|hurt(?:ing)? myself|harm(?:ing)? myself|cut(?:ting)? myself|hang(?:ing)? myself|shoot(?:ing)? myself|off myself|"
      r"overdos(?:e|ing) on purpose|self harm(?:ing)?|unalive myself|un alive myself|end(?:ing)? things for good|"
      r"(?:use|turn|point|pointing|using|turning) (?:it|the gun|the knife|the pills|them|my gun) on myself|"
      r"(?:drive|driving|crash|crashing|steer|steering|swerve|swerving) (?:my car |the car |my truck |the truck )?(?:off|into) (?:a|the) (?:bridge|cliff|wall|tree|river|lake|"
      r"overpass|oncoming traffic|semi|train|ditch)|(?:step|stepping|jump|jumping|walk|walking) in front of (?:a|the) (?:train|bus|truck|car|semi)|"
      r"(?:jump|jumping) (?:off|from) (?:a|the|this) (?:bridge|roof|building|balcony|overpass|cliff)|"
      r"(?:take|taking|swallow|swallowing) (?:all|a bunch|a bottle|a handful) (?:of )?(?:my |the |these |those )?(?:pills|meds|medication|sleeping pills)|"
      r"(?:going to|gonna|about to|want to|will) (?:take|swallow) (?:them|all of them|it) all(?= .*\b(?:pills|meds|medication|bottle)\b| ?$)|"
      r"(?:pills|meds|medication)\b(?: \w+){0,6} (?:going to|gonna|about to|want to|will) (?:take|swallow) (?:them|all of them) all|"
      r"(?<=i )(?:just )?(?:took|swallowed|overdosed on) (?:a bunch of|a lot of|all (?:of )?(?:my|the|his|her)|a (?:whole )?bottle of|too many|a handful of|\d{2,}|twenty|thirty|fifty) "
      r"(?:\w+ )?(?:pills|meds|medication|tablets|sleeping pills|tylenol|advil|xanax|oxy\w*|painkillers))\b",
      "Self-harm and suicidal intent, in any tense but the clearly past. Excluded: negation ('I am not going to "
      "kill myself'), 'killing myself working two jobs', 'hurt myself at work/lifting' (an injury), 'kill myself "
      "laughing'. A past attempt ('I tried to kill myself years ago') is not an emergency.")
def _kill_myself(doc, m):
    phrase = m.group("phrase")
    after = doc.after(m, 5)
    before = doc.before(m, 4)
    if _negated(doc, m, 4):
        return None
    if _SELF_HARM_FIGURATIVE_AFTER_RE.match(after):
        return None
    if phrase.startswith(("hurt", "harm", "cut")):
        # "I hurt myself at work" / "cut myself cooking" are injuries: only intent counts.
        if not re.search(r"\b(?:want|wanna|going|gonna|might|will|urge|urges|feel like|thinking|think about|thought about|keep|scared i will|"
                         r"afraid i will|plan|planning|ready|about to|need to|have been|been|started|tempted|considering)\b", before) \
                and not re.search(r"\b(?:i am|i keep|still)\b", before):
            return None
        if re.match(r"^ (?:at work|on the job|lifting|at the|in (?:a|the)|when|while|playing|cooking|moving|by accident|accidentally|on (?:a|the))\b", after):
            return None
    if phrase.startswith("self harm") and re.match(r"^ (?:policy|policies|training|prevention|awareness|program|clause)\b", after):
        return None
    if phrase.startswith("self harm") and re.search(r"\b(?:my|his|her|our) (?:\w+ )?(?:son|daughter|kid|child|teen|brother|sister|friend|student|patient|client)\b|\b(?:he|she|they) (?:is|has|was|have)\b", doc.sentence_text(m)) \
            and not re.search(r"\b(?:i am|i have been|i keep|i want|i will|i)\s*$", before.strip() + " "):
        return None  # someone else's history of self-harm (a school or health question)
    if re.search(r"\b(?:almost|nearly|accidentally)\b", before) and phrase.startswith("kill"):
        return None  # "I almost killed myself on those stairs"
    if phrase.startswith("killed myself"):
        return None  # spoken by the living: "I killed myself studying"
    clause = doc.clause_text(m)
    if re.search(r"\b(?:tried|attempted|wanted|thought about|considered)\b", before) and _past(clause) and not _immediate(doc.sentence_text(m)):
        return None  # a past attempt, mentioned for a benefits or insurance question
    return EMERGENCY, "self_harm"


@rule("self_harm:suicide", r"\b(?P<word>suicidal|suicide|suicidality)\b",
      "Suicide about the writer ('I am suicidal', 'thinking about suicide'). Excluded: other people's deaths ('my "
      "brother committed suicide' for an estate question), 'suicide clause', 'assisted suicide', 'suicide watch' "
      "in jail, negation ('I am not suicidal').")
def _suicide(doc, m):
    before = doc.before(m, 6, within="sentence")
    after = doc.after(m, 4)
    sentence = doc.sentence_text(m)
    if re.match(r"^ (?:clause|exclusion|provision|policy|policies|rate|rates|statistics|prevention(?! hotline| line| lifeline)|awareness|"
                r"squad|watch|note of (?:his|her)|bombing|bomber|mission|doors|pact of)\b", after):
        return None
    if re.search(r"\b(?:assisted|physician|doctor|medically|assist)\s*$", before.strip() + " ") or re.search(r"\b(?:assisted|physician assisted|medical aid in dying)\b", before):
        return None
    if _negated(doc, m, 3) or re.search(r"\bnot\b(?: \w+){0,2} $", before):
        return None
    third = re.search(r"\b(?:my|his|her|our|their) (?:\w+ )?(?:brother|sister|son|daughter|father|dad|mother|mom|husband|wife|friend|"
                      r"uncle|aunt|cousin|grandpa|grandma|grandfather|grandmother|partner|boyfriend|girlfriend|ex|coworker|neighbou?r|"
                      r"roommate|nephew|niece|child|kid|client|patient|student|employee)\b|\b(?:he|she|they|him|her)\b", before)
    if re.search(r"\b(?:committed|commit|died by|died of|died from|death by|death was|was ruled|ruled a|after (?:his|her|their)|from)\b", before) and third:
        return None
    if third and not re.search(r"\b(?:i|me|myself|i am|im)\b", before):
        # Someone else is suicidal: an emergency only if it is now.
        if re.search(r"\b(?:is|are|has been|keeps|says|said|threatening|threatens|talking|wants)\b", before) and not _past(doc.clause_text(m)):
            if re.search(r"\bif i (?:leave|go|break up|divorce|take|file|move|tell|call)\b", sentence):
                return ABUSE, "controlling"  # a partner's suicide threat used to control
            return EMERGENCY, "self_harm"
        return None
    if re.search(r"\b(?:attempted|attempt|tried|was|felt|had|when i was)\b", before) and _past(doc.clause_text(m)) and not _immediate(sentence):
        return None
    if re.search(r"\b(?:hotline|lifeline|line|988|number|prevention)\b", after) and not re.search(r"\b(?:i am|i feel|feeling|i have|i keep|thoughts|thinking|i)\b", before):
        return None
    if not re.search(r"\b(?:i|me|my|im|myself|am|feel|feeling|thoughts|thinking|want|going to|plan|considering|contemplating|commit)\b", before + " " + after):
        return None
    return EMERGENCY, "self_harm"


@rule("self_harm:want_to_die", r"\b(?P<lead>i (?:just |really |honestly |kind of |kinda |sometimes |literally )?(?:want|wanna|wish i could|would like|am ready|am about to|need|deserve|am planning|plan|am thinking about|keep thinking about|have been thinking about|think about|thought about|feel like i want)) "
      r"(?:to )?(?P<what>die|dying|end it|end everything|end it all|not (?:be alive|exist|wake up|be here anymore|live anymore)|disappear forever|stop living|sleep forever and never wake up|be dead)\b",
      "'I want to die', 'I want to end it all'. Excluded: 'want to die of embarrassment', 'dying to know' (does not "
      "match), 'I want to end it with my landlord' / 'end the lease'.")
def _want_to_die(doc, m):
    if _negated(doc, m, 3):
        return None
    after = doc.after(m, 5)
    what = m.group("what")
    if _SELF_HARM_FIGURATIVE_AFTER_RE.match(after):
        return None
    if what in ("end it", "end everything") and re.match(r"^ (?:with|between|and|on good terms|now before|legally|properly|the right way)\b", after):
        return None
    if what == "dying" and not re.search(r"\bi want to\b", m.group(0)):
        return None
    if what == "disappear forever" and not re.search(r"\b(?:die|dead|life|alive|pills|end)\b", doc.sentence_text(m)):
        return None
    if what == "die" and re.match(r"^ (?:in (?:my|peace|the)|at home|with dignity|before|without|intestate|with a will|and leave|peacefully|happy)\b", after):
        return None  # estate planning: "I want to die at home", "if I die without a will"
    if re.search(r"\bwanted\b", m.group("lead")) and _past(doc.clause_text(m)):
        return None
    return EMERGENCY, "self_harm"


@rule("self_harm:no_reason", r"\b(?:(?:i )?(?:do not|dont) want to (?:live|be alive|exist|wake up|go on)(?: anymore| any more| like this)?(?= \.| ,| $| anymore| any more| i | and | but | tomorrow| again| ever| in the morning)|"
      r"(?:there is )?no (?:reason|point) (?:to|in|of) (?:live|living|go on|going on|being alive|life)|nothing (?:left )?to live for|"
      r"(?:do not|dont|can not|cant) see (?:the|any|a) (?:point|reason) (?:in|of|to) (?:living|life|going on|being alive|live)|"
      r"(?:can not|cant) go on (?:living|anymore|any more|like this anymore)|better off (?:dead|without me)|"
      r"wish i (?:was|were) (?:dead|never born)|wish i (?:could )?(?:die|just die|disappear forever)|i (?:should|could|might as well) just die|"
      r"(?:ready|going|about|planning) to end (?:my life|it all|it tonight|things tonight)|(?:say|said) goodbye (?:to everyone )?forever|"
      r"(?:life is not|life isnt) worth (?:living|it)|done (?:with|living) (?:life|living)|tired of (?:living|being alive)|"
      r"want (?:it all|everything|the pain|my life) to (?:end|be over|stop)|(?:so |really |just )?tired of (?:living|life|being alive|existing)|"
      r"wrote (?:my |a )?(?:goodbye|suicide) (?:letters?|notes?)|ready to die|nobody would (?:miss|care if) me|world would be better without me)",
      "Hopelessness phrased as not wanting to live. 'I don't want to live here anymore' (housing) does not match "
      "because 'live' must end the phrase.")
def _no_reason(doc, m):
    if _hypothetical(doc, m) and "better off" not in m.group(0):
        return None
    before = doc.before(m, 3)
    if re.search(r"\b(?:not|never)\s*$", before.strip() + " ") or re.search(r"\b(?:not|never|no)\b", before):
        if not m.group(0).startswith(("do not", "dont", "i do not", "i dont", "no reason", "no point", "there is no", "nothing", "can not", "cant")):
            return None
    if re.search(r"\b(?:he|she|they|my \w+|you) (?:is|are|was|were|would be)\s*$", before.strip() + " ") and "better off" in m.group(0):
        return None  # "the kids would be better off without him"
    if re.search(r"\b(?:the|my|our) (?:kids|children|kid|son|daughter|family) (?:would|will|are) be\b", doc.before(m, 6)) and "without me" not in m.group(0):
        return None
    after = doc.after(m, 4)
    if "better off dead" in m.group(0) and re.match(r"^ than\b", after):
        return None
    return EMERGENCY, "self_harm"


@rule("self_harm:others", rf"\b(?P<subj>(?:my|our|his|her) (?:\w+ )?(?:son|daughter|brother|sister|husband|wife|partner|boyfriend|girlfriend|friend|mom|mother|dad|father|"
      r"kid|child|roommate|ex)|he|she) (?:is|are|keeps|has been|just|says|said|is saying|keeps saying|wants|is talking about) (?:(?:saying |that )?(?:he|she) (?:wants|will|is going|is gonna|needs|is about) )?"
      r"(?:(?:going|about|trying|threatening|talking about|planning|thinking about) )?(?:to )?(?:kill|hurt|harm|cut|end|killing|hurting|cutting) (?:himself|herself|themselves|(?:his|her) (?:own )?life)\b",
      "Someone else about to harm themselves now (988 applies); a partner's 'I'll kill myself if you leave' is "
      "coercive control (abuse).")
def _others_self_harm(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    sentence = doc.sentence_text(m)
    if re.search(r"\bif (?:i|you) (?:leave|go|break up|divorce|take|file|move|tell|call|do not|dont)\b", sentence):
        return ABUSE, "controlling"
    if re.search(r"\b(?:said|threatened|used to|keeps)\b", m.group(0)) and not _immediate(sentence):
        return ABUSE, "controlling"
    return _now_or_past(doc, m, "self_harm", "abuse")


# --- fire ----------------------------------------------------------------------------------------

@rule("fire:now", r"\b(?:(?:my|our|the) (?:\w+ )?(?:house|home|apartment|building|kitchen|room|trailer|place|garage|bedroom|unit|car) (?:is|are) (?:on fire|burning|in flames)|there is a fire (?:in|at) (?:my|our|the) "
      r"|(?:he|she|someone|they) (?:is|are|just) (?:setting|set|lit|lighting) (?:my|our|the) (?:house|apartment|home|car|room|place|stuff|things|bed) (?:on fire|alight|ablaze))",
      "A fire now. 'He set my car on fire last year' is past (abuse).")
def _fire(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    return _now_or_past(doc, m, "fire", "past_violence")


# --- non-immediate abuse ---------------------------------------------------------------------------

_NOT_VIOLENCE_AFTER_RE = re.compile(
    r"^ (?:(?:an?|the|me an?|us an?) (?:text|message|email|e mail|look|glance|line|note|dm|quick|smile|wink|invoice|bill)|"
    r"with (?!(?:(?:a|an|his|her|their|the|my|this|that|some|some kind of) )?(?:\w+ )?(?:knife|gun|bat|belt|hammer|bottle|fists?|hands?|pipe|stick|rock|brick|chair|"
    r"cord|wire|weapon|pan|shoe|phone|lamp|plate|glass|board|bar|club|cane|whip|hose|rope|lighter|iron|tool|elbow|knee|head|keys|remote|mug|cup|"
    r"door|object|something|fist|open hand|closed fist)\b)|"
    r"in the back(?! with (?:a|his|her|the) (?:knife|blade|gun|screwdriver))|up(?: for| on| with)?|with (?:a|an|the|another|late|extra|these|this|his|her|their|my|all)? ?(?:bill|bills|lawsuit|suit|fee|fees|fine|fines|charge|"
    r"charges|penalty|notice|ticket|tax|claim|invoice|rent increase|eviction|summons|subpoena|letter|complaint|demand|question|questions|request|"
    r"fact|facts|news|truth|reality|offer)|(?:at|in|to) (?:chess|cards|pool|poker|games?|video games|\w+ball|tennis|golf|court|the punch|it|trial)|"
    r"from behind|with (?:his|her|their|a|the) (?:car|truck|van|vehicle|suv|bike|cart|shopping cart)|(?:in|at) (?:a|an|the) (?:parking lot|intersection|"
    r"crosswalk|accident|crash|game|match|practice)|while (?:driving|i was driving|backing)|(?:to|into) (?:sign|take|accept|agree|buy|pay|settle|signing|"
    r"taking|accepting|agreeing|buying|paying|settling|quit|quitting|leave|resign|retire)|on (?:social media|facebook|twitter|instagram|tiktok|"
    r"line|online|yelp|google)|online|verbally in (?:a|the) (?:review|email|meeting)|in (?:his|her|their|a|the) (?:review|reviews|post|email|letter|filing|"
    r"motion|response|answer|complaint|deposition|meeting))"
)
_PAST_VIOLENCE_VERB = (
    r"(?:hit|hits|beat|beats|beaten|punched|punches|slapped|slaps|kicked|kicks|choked|chokes|strangled|strangles|shoved|shoves|pushed|pushes|"
    r"attacked|attacks|assaulted|assaults|abused|abuses|abusing|hurt|hurts|bit|bites|burned|burns|burnt|stabbed|stabs|shot|dragged|drags|"
    r"grabbed|grabs|slammed|slams|smacked|smacks|raped|rapes|molested|molests|threw (?:me|us|(?:\w+ ){1,2}at (?:me|us|my (?:head|face)))|throws (?:me|(?:\w+ ){1,2}at (?:me|us|my (?:head|face)))|held me (?:against|by|down|under)|dragged me|pulled me by|"
    r"broke (?:my|our) (?:nose|arm|ribs?|jaw|wrist|finger|hand|leg|tooth|teeth)|gave me a black eye|tried to (?:kill|choke|strangle|drown|stab|smother|run over)|"
    r"beat up|beats up|beating|hitting|punching|kicking|choking|strangling|slapping|spit on|spits on|headbutted|pinned|pins|held me down|holds me down|"
    r"(?:(?<=used to )|(?<=would ))(?:hit|beat|punch|slap|kick|choke|strangle|shove|push|attack|hurt|bite|burn|stab|drag|grab|slam|smack|rape|molest|abuse|throw \w+ at)|"
    r"physically (?:hurt|abused|attacked|assaulted)|put (?:his|her) hands on|puts (?:his|her) hands on|laid (?:his|her) hands on|got physical with|gets physical with)"
)


@rule("abuse:past_violence", rf"\b(?P<subj>{_INTIMATE}|and|and then|then) (?P<adv>(?:(?:has|had|have|always|often|sometimes|used to|would|once|also|then|even|again|repeatedly|only|"
      rf"constantly|still|physically|violently|badly|brutally|literally|actually|never|did|does|do|is|was|been|keeps|kept|started|starts) ){{0,3}})"
      rf"(?P<verb>{_PAST_VIOLENCE_VERB}) (?:(?P<me>{_ME}|my (?:face|head|arm|neck|body|back|stomach|belly|chest|eye|mouth|ribs|hair))|(?P<child>{_CHILD})|(?P<other>"
      r"(?:my|his|her|our) (?:mom|mother|mum|sister|grandma|grandmother|dog|cat|pregnant \w+))|(?P<her>her))?",
      "Violence by a partner or family member that is past or habitual ('he hit me last year', 'she slaps me when "
      "she drinks', 'my stepdad beats my little brother'). Immediacy cues make it an emergency ('he hit me and I'm "
      "bleeding', 'he hit me again tonight'). A car hitting me, 'hit me up', 'hit me with a lawsuit', 'beat me at "
      "chess' are not violence.")
def _past_violence(doc, m):
    verb = m.group("verb")
    subj = m.group("subj")
    sentence = doc.sentence_text(m)
    if subj in ("and", "and then", "then"):
        # "my husband got drunk and punched me": the subject is earlier in the sentence.
        pre = doc.text[doc.sentence(m.start())[0]:m.start()].split(" , ")[-1]
        if not re.match(rf"\s*(?:\w+ ){{0,4}}?(?:{_INTIMATE}) ", pre):
            return None  # the clause must open with the partner / family member as its subject
    if m.group("her"):
        # "he beat her so bad she went to the ER": a daughter, sister or mother hurt by her partner.
        if not re.search(r"\bmy (?:daughter|sister|mom|mother|mum|niece|granddaughter|aunt|friend|grandma|grandmother|best friend|cousin)\b", doc.text) \
                or verb in ("shot", "stabbed", "stabs"):
            return None
    has_obj = bool(m.group("me") or m.group("child") or m.group("other") or m.group("her"))
    if not has_obj and not re.match(r"^(?:threw|broke|gave|tried|physically|put|puts|laid|got|gets|held|holds|spit|spits|beat up|beats up)", verb):
        return None
    adv = m.group("adv") or ""
    if re.search(r"\b(?:never|did not|does not)\b", adv) or _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if re.search(r"\b(?:is|are|was)\b", adv) and re.match(r"^(?:hitting|punching|kicking|choking|strangling|slapping|beating)$", verb):
        return None  # "is hitting" is the progressive rule's; "was hitting" is unusual and left to it
    if re.match(r"^(?:beating|hitting|punching|kicking|choking|strangling|slapping)$", verb) and not re.search(r"\b(?:keeps|kept|started|starts|been)\b", adv):
        return None
    after = doc.after(m, 6)
    if _NOT_VIOLENCE_AFTER_RE.match(after):
        return None
    if re.match(r"^(?:kick|threw|throws|cut)", verb) and re.match(r"^ (?:out|off)\b(?! of (?:a|the|his|her|my) (?:moving )?(?:car|window|truck|vehicle|balcony))", after):
        return None  # "my mom kicked me out", "he threw me out of the house" (housing, not violence)
    if verb in ("hurt", "hurts") and re.match(r"^ (?:my (?:feelings|credit|case|chances|business|reputation|career)|(?:my )?feelings|financially|emotionally)\b", after):
        return None
    if verb in ("shot", "shoots") and not has_obj:
        return None
    if verb in ("abused", "abuses", "abusing") and re.match(r"^ (?:(?:his|her|the|their) (?:power|position|authority|discretion)|drugs|alcohol|substances)\b", after):
        return None
    if re.search(r"\b(?:man|guy)\b", subj) and not re.search(r"\b(?:my|our|her|his) (?:man|guy)\b", subj):
        return None  # "the man hit me" = a stranger: assault, not abuse
    child = bool(m.group("child"))
    before_match = doc.before(m, 3)
    if re.search(r"\bjust\b", adv + before_match) and not _past(doc.clause_text(m)):
        return EMERGENCY, "child_danger" if child else "violence_now"
    # "he hit me and i am bleeding", "she punched me tonight" are now; "he hit me last year" is not.
    past = "child_abuse" if child else ("sexual_abuse" if verb in ("raped", "rapes", "molested", "molests") else "past_violence")
    return _past_or_now(doc, m, past, "child_danger" if child else "violence_now")


@rule("abuse:i_was", r"\b(?:i|we) (?:was|were|have been|ve been|had been|am being|am|got|get|keep getting|have|has been) (?:(?:repeatedly|constantly|physically|sexually|"
      r"emotionally|verbally|mentally|psychologically|financially|badly|brutally|violently|also|being|getting|just) ){0,2}(?P<verb>abused|beaten|beat up|battered|raped|molested|"
      r"strangled|choked|stalked|sexually assaulted|assaulted|hit|attacked|harassed|threatened|groomed|trafficked|abusing)\b(?P<by> by (?:my|his|her|our|an|the|a|him|her)(?: \w+){0,2})?",
      "'I was abused / I am being stalked / I was raped'. 'Hit', 'assaulted', 'attacked', 'harassed', "
      "'threatened' count only when done by a partner or family member ('I was hit by a car', 'harassed by a debt "
      "collector', 'threatened with eviction' do not).")
def _i_was(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    verb, by = m.group("verb"), (m.group("by") or "")
    after = doc.after(m, 5)
    workplace = r"\b(?:boss|manager|supervisor|coworker|co worker|customer|client|employer|teacher|landlord|collector|company|police|officer|guard|cop|doctor|nurse|stranger|car|driver|truck)\b"
    if re.search(workplace, by) or re.search(r"^ (?:at work|on the job|by (?:a|the) (?:car|truck|driver|customer|patient|student|client|police|officer|guard|dog|ball))\b", after):
        if verb not in ("raped", "sexually assaulted", "molested", "trafficked"):
            return None
    if verb in ("hit", "assaulted", "attacked", "harassed", "threatened", "choked", "strangled"):
        by_family = re.search(rf"\bby (?:him|her|(?:my|our|his|her) (?:{_PERSON}))\b", by)
        if not by_family and not (verb in ("choked", "strangled") and not re.match(r"^ (?:on|by (?:food|a|the))\b", after)):
            return None
    if verb == "stalked" and re.match(r"^ (?:on|online|by (?:a|the) (?:company|collector|recruiter))\b", after):
        return None
    text = m.group(0)
    category = {"raped": "sexual_abuse", "sexually assaulted": "sexual_abuse", "molested": "sexual_abuse", "groomed": "sexual_abuse",
                "stalked": "stalking", "harassed": "stalking", "threatened": "threats"}.get(verb, "past_violence" if verb != "abused" else "abuse")
    now_category = "threat_now" if category in ("stalking", "threats") else "violence_now"
    if re.search(r"\b(?:am being|am|getting|just)\b", text) and verb not in ("abused", "abusing", "harassed", "stalked", "threatened", "groomed"):
        return _now_or_past(doc, m, now_category, category)
    return _past_or_now(doc, m, category, now_category)


@rule("abuse:relationship", rf"\b(?:(?:my|an|a|our|the|his|her|this|very|really) (?:(?:very|really|extremely|physically|emotionally|verbally|mentally|financially|"
      rf"psychologically|sexually|super) )?(?P<adj>abusive|violent|controlling|manipulative and abusive) (?P<noun>{_PERSON}|relationship|marriage|household|home|situation|"
      rf"partner|spouse|family|environment)|(?P<subj2>{_INTIMATE}) (?:is|was|has been|gets|got|can be|became|has become|turned) (?:(?:very|really|so|extremely|physically|"
      r"emotionally|verbally|mentally|sexually|increasingly|super|more|always) )*(?P<adj2>abusive|violent|controlling))\b",
      "An abusive / violent / controlling partner or relationship. 'Abusive language from a debt collector' does "
      "not match: the noun must be a person or a relationship.")
def _relationship(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if re.search(r"\b(?:was|were)\s+(?:not|never)\b", m.group(0)):
        return None
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:accus\w*|claims?|claiming|says? (?:i|that i)|alleg\w*|lying|lies|false|falsely)\b", sentence) and re.search(r"\b(?:i am|i was|me)\b", sentence):
        return None  # "she claims I was abusive" — the writer is accused, not abused
    adj = m.group("adj") or m.group("adj2") or ""
    if m.group("subj2") and re.search(r"\b(?:boss|manager|landlord)\b", m.group("subj2")):
        return None
    return ABUSE, "controlling" if adj == "controlling" else "abuse"


@rule("abuse:victim_of", r"\b(?:victim|survivor|victims|survivors) of (?:domestic|family|intimate partner|sexual|dating|child) (?:violence|abuse|assault)\b|"
      r"\b(?:experiencing|suffering|suffered|dealing with|going through|went through|escaped|escaping|fled|fleeing|survived|living with|left|leaving|"
      r"get away from|got away from|trying to leave|in) (?:from )?(?:an? )?(?:domestic violence|domestic abuse|family violence|intimate partner violence|"
      r"abusive (?:relationship|marriage|home|situation|household)|(?:emotional|verbal|physical|sexual|psychological|financial|mental) abuse)\b|"
      r"\b(?:domestic violence|domestic abuse) (?:victim|survivor|situation|relationship|shelter|advocate|hotline)\b|"
      r"\b(?:he|she|my \w+) (?:is|has been|was) (?:emotionally|verbally|mentally|psychologically|physically|sexually|financially) abus(?:ing|ive to|ive towards) me\b|"
      r"\b(?:emotional|verbal|physical|sexual|psychological|mental) abuse (?:from|by) (?:my|him|her)\b",
      "The person says they are living with or fleeing abuse ('I am a victim of domestic violence', 'trying to "
      "leave an abusive relationship', 'how do I prove emotional abuse by my husband').")
def _victim_of(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:my client|our client|a client|clients|i represent|volunteer|volunteering|work at|work for|job at|research|paper|statistics|"
                 r"class|training|donate|donation)\b", sentence):
        return None
    if re.search(r"\b(?:accus\w*|claims?|claiming|alleg\w*|falsely|false)\b", sentence) and re.search(r"\b(?:me|i)\b", sentence):
        return None
    return _past_or_now(doc, m, "abuse", "threat_now")


@rule("abuse:emotional_abuse", r"\b(?:prove|proving|evidence of|document|documenting|report|reporting|is this|is that|counts as|considered) (?:emotional|verbal|psychological|"
      r"mental|financial|physical|sexual|domestic) (?:abuse|violence)\b",
      "'How do I prove emotional abuse', 'is this domestic violence': the person is describing abuse they live with.")
def _emotional_abuse(doc, m):
    if _negated(doc, m, 3):
        return None
    if re.search(r"\b(?:elder|client|nursing home|my (?:mom|dad|mother|father|grandma|grandpa) s (?:caregiver|nurse))\b", doc.sentence_text(m)):
        return None
    return ABUSE, "abuse"


@rule("abuse:stalking", rf"\b(?:(?P<subj>{_INTIMATE}|someone|somebody|a (?:man|guy|woman|stranger)|this (?:man|guy|woman|person)) (?:(?:is|has been|keeps|kept|was|started|"
      r"been|still|always|also|now) ){0,2}(?P<verb>stalking|stalks|stalked|following|follows|followed|tracking|tracks|tracked|watching|watches|"
      r"showing up|shows up|showed up|turning up|turns up|turned up|waiting for me|waits for me|harassing|harasses|harassed|texting|calling|"
      r"messaging|emailing|contacting|driving by|drives by|drove by|parking outside|parks outside|spying on|spies on|monitoring|monitors|"
      r"cyberstalking|creating fake accounts|made fake accounts|makes fake accounts)(?P<obj> (?:me|us|my|at my|outside my|on me|around my|"
      r"everywhere|to my|where|me everywhere|home|me home|me to|me around|(?:my )?(?:house|home|work|job|apartment|school|car|phone|location))(?: \w+){0,3})?|"
      r"\b(?P<noun>stalker|cyberstalking|cyber stalking|stalking me|stalked me|death threats?|"
      r"(?:posted|posting|posts|made|making|sent|sending|sends|left|leaving|leaves|wrote|writing) threats (?:about|against|to|on) me|"
      r"(?:leaving|left|leaves|keeps leaving) (?:notes|things|flowers|gifts|messages|letters|dead \w+) (?:on|at|in|outside) (?:my|our) (?:car|door|porch|house|apartment|mailbox|windshield)|(?:sending|sent|sends|send|leaving|left|leaves|posting|posted|posts) me (?:threatening|scary|violent|creepy|death threat) (?:messages|texts|emails|voicemails|voice mails|notes|letters|dms))\b|"
      r"\b(?:put|placed|installed|hid|found) (?:a|an) (?:gps|tracker|tracking device|air ?tag|tile tracker|hidden camera|camera|spy app|tracking app) (?:on|in) (?:my|our)\b|"
      r"\b(?:tracking|tracks|tracked|monitoring|monitors|reading|reads|checks|checking|goes through|went through) (?:my|our) (?:phone|location|car|texts|messages|emails|"
      r"calls|every move|whereabouts)\b|\bwill not leave me alone\b|\bwont leave me alone\b|\bkeeps (?:calling|texting|messaging)\b)",
      "Stalking and harassment by a person: following, showing up, tracking, a GPS on my car, won't leave me "
      "alone. Calls from a debt collector or a company, and 'stalking horse' bids, are not stalking.")
def _stalking(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    sentence = doc.sentence_text(m)
    text = m.group(0)
    if re.search(r"\b(?:collector|collectors|collection|creditor|company|bank|lender|recruiter|telemarketer|robocall|spam|scam|scammer|"
                 r"landlord|boss|manager|employer|school|insurance|agency|irs|they|police|officer|detective|process server|lawyer|attorney|"
                 r"stalking horse|bidder|bid|customer service|store)\b", sentence) and not re.search(r"\b(?:ex|husband|wife|boyfriend|girlfriend|partner|stalker|stalking me)\b", sentence):
        return None
    verb = m.group("verb") or ""
    obj = m.group("obj") or ""
    noun = m.group("noun") or ""
    if noun.startswith(("death threat", "sending", "sent", "sends", "send", "posting", "posted", "posts", "made", "making", "wrote", "writing")) \
            or "threats" in noun:
        return _past_or_now(doc, m, "threats", "threat_now")
    if noun.startswith(("leaving", "left", "leaves", "keeps leaving")):
        if not re.search(r"\b(?:ex|husband|wife|boyfriend|girlfriend|partner|stalker|someone|somebody|he|she|scared|afraid|creepy)\b", doc.sentence_text(m)):
            return None
        return _past_or_now(doc, m, "stalking", "threat_now")
    if verb in ("texting", "calling", "messaging", "emailing", "contacting") and not re.search(r"\b(?:won t stop|will not stop|nonstop|non stop|harass\w*|threat\w*|scared|afraid|"
                                                                                             r"fake (?:accounts?|numbers?|profiles?)|new numbers?|different numbers?|"
                                                                                             r"find me|where i (?:am|live|work|moved)|figure out where|"
                                                                                             r"constantly|all day|all night|every day|hundreds|\d{2,} times|even though|after i|blocked|"
                                                                                             r"restraining|protective|order|told (?:him|her) to stop)\b", sentence):
        return None
    if re.search(r"\bkeeps (?:calling|texting|messaging)\b", text) and (not re.search(r"\b(?:ex|husband|wife|boyfriend|girlfriend|partner|he|she|stalker)\b", sentence)
                                                                         or not re.search(r"\b(?:won t stop|will not stop|nonstop|non stop|harass\w*|threat\w*|scared|afraid|fake|"
                                                                                          r"new numbers?|different numbers?|constantly|all day|all night|every day|hundreds|"
                                                                                          r"\d{2,} times|even though|after i|blocked|restraining|protective|order|"
                                                                                          r"told (?:him|her) to stop|find me|where i (?:am|live|work|moved)|figure out where)\b", sentence)):
        return None
    if verb and not obj and verb not in ("stalking", "stalks", "stalked", "cyberstalking", "creating fake accounts", "made fake accounts", "makes fake accounts"):
        return None
    if verb in ("following", "follows", "followed") and re.match(r" (?:me on|my (?:page|account|instagram|twitter|tiktok|posts|blog|case|advice|lead))", obj):
        return None
    if verb in ("watching", "watches", "monitoring", "monitors") and re.match(r" (?:my (?:kids|children|son|daughter|dog|cat|money|spending|diet|health)|me (?:play|work|cook))", obj):
        return None
    if verb in ("showing up", "shows up", "showed up", "turning up", "turns up", "turned up") and re.search(r"\b(?:late|early|court|hearing|to work|for work|for the)\b", obj):
        return None
    subj = m.group("subj") or ""
    if subj and re.search(r"\b(?:my|our|the) (?:son|daughter|mom|mother|dad|father|parents|family)\b", subj) and verb in ("calling", "texting", "watching", "monitoring"):
        return None
    if re.search(r"\b(?:checks|checking|reading|reads|goes through|went through|monitoring|monitors|tracking|tracks|tracked)\b", text) and not subj:
        if not re.search(r"\b(?:he|she|ex|husband|wife|boyfriend|girlfriend|partner|fiance)\b", doc.before(m, 4, within="sentence")):
            return None
        return _past_or_now(doc, m, "controlling", "threat_now")
    if re.search(r"\b(?:following|watching|waiting for me|parking outside|driving by)\b", text) and re.search(r"\b(?:is|are)\b", text) \
            and not re.search(r"\b(?:has been|have been|keeps|kept|always)\b", text):
        return _now_or_past(doc, m, "child_danger" if re.match(rf" (?:{_CHILD})", obj) else "threat_now", "stalking")
    child = bool(re.match(rf" (?:{_CHILD})", obj))
    if _STRONG_NOW_RE.search(doc.sentence_text(m)) and not _past(doc.clause_text(m)):
        return EMERGENCY, "child_danger" if child else "threat_now"
    return ABUSE, "stalking"


@rule("abuse:controlling", rf"\b(?P<subj>{_INTIMATE}|and|also) (?:(?:always|still|also|never|even|now|just|already|has|had|keeps|constantly|completely) ){{0,2}}"
      r"(?P<verb>controls|controlled|takes|took|keeps|kept|holds|held|hides|hid|read|checked|went through|won t give me|will not give me|refuses to give me|withholds|withheld|"
      r"will not let me (?:work|drive|go out)|will not let me (?:have|see|talk to|call|visit|work|go|drive|use|touch|access|get|keep)|wont let me (?:have|see|talk to|call|visit|work|go|drive|use|touch|access|get|keep)|"
      r"does not let me (?:have|see|talk to|call|visit|work|go|drive|use|touch|access|get|keep)|never lets me (?:have|see|talk to|call|visit|work|go|drive|use|touch|access|get|keep)|"
      r"isolates|isolated|cut me off from|tracks|monitors|checks|reads|destroyed|destroys|broke|breaks|smashed|smashes) "
      r"(?P<obj>(?<=me work)|(?<=me drive)|(?<=me go out)|every (?:dollar|penny|cent)|what i (?:eat|wear|spend|buy)|who i (?:see|talk to|text)|everything i do|(?:all )?(?:of )?(?:my|our|the|me from my|me from) (?:\w+ )?(?:money|paycheck|paychecks|wages|pay|bank card|debit card|credit cards?|cards|bank account|phone|"
      r"car keys|keys|passport|documents|id|green card|papers|immigration papers|birth certificate|social security card|friends|family|mom|mother|parents|"
      r"sister|brother|kids|children|everything|medication|meds|car|job|own money|messages|texts|location)|me|friends|family|anyone|my own money|money|a job|a phone)",
      "A controlling partner: takes the paycheck, hides the passport, won't let me see my family, isolates me. "
      "'My ex won't let me see the kids' is a custody matter when nothing else points to abuse.")
def _controlling(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    verb, obj = m.group("verb"), m.group("obj")
    subj = m.group("subj")
    sentence = doc.sentence_text(m)
    if subj in ("and", "also"):
        if not re.search(r"\b(?:husband|wife|boyfriend|girlfriend|partner|ex|fiance|fiancee|spouse|abuser)\b", sentence):
            return None
        subj = "he"
    if subj in ("he", "she") and verb in ("takes", "took", "keeps", "kept", "holds", "held", "hides", "hid", "withholds", "withheld", "destroyed", "destroys",
                                          "broke", "breaks", "smashed", "smashes") \
            and not re.search(r"\b(?:passport|documents|id|green card|papers|immigration papers|birth certificate|social security card|medication|meds)\b", obj) \
            and not re.search(r"\b(?:husband|wife|boyfriend|girlfriend|partner|ex|fiance|fiancee|spouse|abuser|dad|father|mom|mother|son|"
                              r"daughter|brother|sister|married|relationship|abus\w*|control\w*|hit\w*|violent)\b", doc.text):
        return None  # "my lawyer ... he took my money and did nothing"
    if re.search(r"\b(?:kids|children|son|daughter)\b", obj) and not re.search(r"\b(?:abus\w*|hit\w*|hurt\w*|threat\w*|violent|scared|afraid)\b", sentence):
        return None  # custody / visitation
    if re.search(r"\b(?:son|daughter|mom|mother|dad|father|parents)\b", subj) and not re.search(r"\b(?:abus\w*|hit\w*|hurt\w*|threat\w*|violent|scared|afraid|control\w*)\b", sentence):
        return None  # a parent taking a teen's phone; an adult child handling a parent's money is elder law
    if verb in ("takes", "took", "keeps", "kept", "holds", "held") and obj.strip() in ("me", "money", "a job", "friends", "family", "anyone"):
        return None
    if verb in ("takes", "took", "keeps", "kept", "holds", "held") and re.search(r"\b(?:car(?! keys)|kids|children|half|share|the house)\b", obj):
        return None  # property division
    if verb in ("destroyed", "destroys", "broke", "breaks", "smashed", "smashes") and not re.search(r"\b(?:phone|keys|car keys|id|passport|documents|papers|medication)\b", obj):
        return None
    if verb in ("tracks", "monitors", "checks", "reads", "read", "checked", "went through") and not re.search(r"\b(?:phone|location|messages|texts|car|emails)\b", obj):
        return None
    if verb in ("took", "takes") and re.search(r"\b(?:divorce|settlement|court|judge|custody|lawsuit|sued|owes|owed|loan|lent|borrowed|rent)\b", sentence) \
            and not re.search(r"\b(?:abus\w*|control\w*|scared|afraid|threat\w*)\b", sentence):
        return None
    if re.search(r"\b(?:car|phone|keys)\b", obj) and verb in ("took", "takes", "hid", "hides", "broke", "smashed"):
        # "he took my phone and keys" may mean I cannot leave or call: an emergency with immediacy.
        return _past_or_now(doc, m, "controlling", "trapped")
    return ABUSE, "controlling"


@rule("abuse:fear_of", rf"\b(?:i am|i m|we are|i have been|i was|im|i always feel|i feel) (?:(?:so|very|really|too|always|still|just|kind of|kinda) )*(?:scared|afraid|terrified|frightened) "
      rf"(?:of (?:him|her|{_INTIMATE}|what (?:he|she) (?:will|might|could|would) do)|to (?:go home|leave (?:him|her)|be (?:home|alone) with (?:him|her)|tell (?:him|her)|"
      r"leave|go back|call the police|report (?:him|her)))\b",
      "'I'm scared of my husband', 'afraid to leave him': fear of a partner is a sign of abuse.")
def _fear_of(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    sentence = doc.sentence_text(m)
    if re.search(r"\bto leave\b", m.group(0)) and re.search(r"\b(?:job|work|house|apartment|lease|country|state|home alone|the kids alone)\b", doc.after(m, 4)):
        return None
    if re.search(r"\b(?:landlord|boss|manager|judge|court|police|ice|immigration|deport\w*|dog|spiders?|heights|flying)\b", sentence) \
            and not re.search(rf"\b(?:{_PERSON})\b", m.group(0)):
        return None
    if re.search(r"\bof (?:him|her|what)\b", m.group(0)) and not re.search(r"\b(?:husband|wife|boyfriend|girlfriend|partner|ex|abus\w*|hit\w*|hurt\w*|"
                                                                          r"violent|threat\w*|dad|father|stepdad|mom|mother|brother|son|control\w*|temper|"
                                                                          r"drink\w*|drunk|yell\w*|scream\w*)\b", doc.text):
        return None
    return _past_or_now(doc, m, "abuse", "threat_now")


@rule("abuse:intimate_images", r"\b(?:posted|posting|posts|shared|sharing|shares|sent|sending|leaked|leaking|uploaded|threatened to (?:post|share|send|leak)|"
      r"threatening to (?:post|share|send|leak)|threatens to (?:post|share|send|leak)) (?:an? |my |some |the |our )?(?:intimate|nude|naked|private|sexual|explicit|sex) "
      r"(?:video|videos|photos?|pictures?|pics|images?|tape)\b|\b(?:post|share|send|leak|posted|shared|leaked) my nudes\b",
      "Intimate images shared or threatened (image-based abuse).")
def _intimate_images(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    if re.search(r"\b(?:accus\w*|claims? (?:i|that i)|says? i|said i)\b", doc.sentence_text(m)):
        return None
    return ABUSE, "abuse"


@rule("abuse:order_violated", r"\b(?:violated|violates|violating|broke|breaking|broken|ignores|ignoring|ignored) (?:the |my |a |his |her |our |that )?(?:temporary )?"
      r"(?:restraining order|protective order|protection order|order of protection|tro|no contact order|stay away order|peace order)\b|"
      r"\b(?:restraining order|protective order|protection order|order of protection|no contact order) (?:was |is |has been |got )?(?:violated|broken|ignored)\b|"
      r"\b(?:order|tro)\b(?: \w+){0,8} (?:he|she|they) (?:has |have )?(?:broken|broke|violated|ignored) it\b",
      "A protective order being violated means the abuser is still after the person.")
def _order_violated(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:accus\w*|claims? (?:i|that i)|says? i|said i|alleg\w*|falsely|arrested for|charged with)\b", sentence):
        return None  # the writer is the one accused of the violation: criminal, not abuse
    return _past_or_now(doc, m, "stalking", "threat_now")


@rule("abuse:violence_reported", rf"\b(?:for|after|from|because of|over|to) (?:him |her )?(?P<verb>hitting|beating|choking|strangling|punching|kicking|assaulting|attacking|"
      rf"hurting|raping|stabbing|slapping|shoving|pushing|beating up|threatening|throwing \w+ at) (?:(?P<me>me|us)|(?P<child>{_CHILD})|(?P<other>(?:my|his|her|our) (?:mom|mother|mum|sister|grandma|grandmother|dad|father|brother|aunt)))\b",
      "Violence named as the reason for an arrest or an order ('my ex got arrested for hitting me', 'he went to jail "
      "after choking me'): the writer was hurt, so this is abuse (an emergency only with a cue of now).")
def _violence_reported(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    pre = doc.text[doc.sentence(m.start())[0]:m.start()]
    if not re.search(rf"\b(?:{_INTIMATE})\b", pre):
        return None
    if re.search(r"\b(?:accus\w*|claims?|says? (?:i|that i)|alleg\w*|falsely|lying)\b", pre):
        return None
    child = bool(m.group("child"))
    # The violence is the reason for an arrest, a charge or an order: it is over.
    return ABUSE, "child_abuse" if child else ("threats" if m.group("verb") == "threatening" else "past_violence")


@rule("abuse:sexual", rf"\b(?P<subj>{_INTIMATE}|someone|somebody|a (?:man|guy|woman|teacher|coach|neighbou?r|relative|family member)|my (?:teacher|coach|"
      rf"neighbou?r|relative|boss|coworker|manager|landlord)) (?:(?:has|had|have|always|keeps|kept|used to|would|once|repeatedly|also|sexually|is|are|was|just) ){{0,2}}"
      rf"(?P<verb>forced me to have sex|forces me to have sex|forced himself on me|forced herself on me|sexually (?:assaulted|abused|abuses|assaults)|"
      rf"touched|touches|touching|molested|molests|molesting|raped|rapes|raping|groped|gropes|groping|sexually abusing|made me (?:have sex|do sexual)|makes me (?:have sex|do sexual)) "
      rf"(?P<obj>me|us|{_CHILD})?(?P<how> (?:inappropriately|sexually|in (?:my|her|his) (?:private|privates|private parts)|down there|under)(?: \w+)?)?",
      "Sexual abuse or assault (past or ongoing); 'touched' only with 'inappropriately / sexually'.")
def _sexual(doc, m):
    if _negated(doc, m, 3) or _hypothetical(doc, m):
        return None
    verb, obj, how = m.group("verb"), m.group("obj") or "", m.group("how") or ""
    if verb in ("touched", "touches", "touching") and not how:
        return None
    if not obj and not verb.startswith(("forced", "forces", "made me", "makes me", "sexually")):
        return None
    child = bool(obj and obj not in ("me", "us"))
    category = "child_abuse" if child else "sexual_abuse"
    if re.search(r"\b(?:is|are)\b", doc.before(m, 1)) or verb in ("touching", "molesting", "raping", "groping", "sexually abusing"):
        return _now_or_past(doc, m, "child_danger" if child else "violence_now", category)
    return _past_or_now(doc, m, category, "child_danger" if child else "violence_now")


# =============================================================================================
# High-stakes legal matters
# =============================================================================================

_HYPO_LEGAL_RE = re.compile(
    r"\b(?:can|could|will|would|might|may) (?:they|he|she|someone|somebody|the \w+|my \w+) (?:really )?(?:have|get) (?:me|him|her|you|us|them) (?:arrested|charged|deported|detained)\b|"
    r"\b(?:can|could|will|would|might|may|should|do|does) (?:i|you|he|she|they|someone|somebody|a person|people|my \w+|we|a \w+) (?:\w+ )?(?:be|get|go to) "
    r"(?:arrested|charged|deported|detained|jailed|locked up|evicted)\b|"
    r"\b(?:if|when|what happens if|what happens when|in case|so that|before|unless) (?:i|you|he|she|they|someone|somebody|a person|people|my \w+|we) "
    r"(?:\w+ )?(?:get|gets|got|is|are|am|be|were|was) (?:\w+ )?(?:arrested|charged|deported|detained)\b|"
    r"\b(?:afraid|scared|worried|fear|risk|chance|possible|possibility|likely|threatened|threatening|threatens|risk of|avoid|prevent|trying not to|"
    r"not want to|do not want to) (?:that |of |to )?(?:i |he |she |they |we |my \w+ )?(?:will |might |could |would |may |is going to |am going to |being |getting |get |be )*"
    r"(?:be |get )?(?:arrested|charged|deported|detained|jailed)\b"
)
_GENERAL_QUESTION_RE = re.compile(
    r"^ (?:what (?:is|are|does|happens|do)|how (?:does|do|long|much|many|can|is)|i (?:just )?want to (?:know|understand|learn)|"
    r"(?:can|could) you (?:explain|tell me)|is it|are there|can a|does a|do you|why (?:do|does|is|are)|"
    r"when (?:do|does|is|can)|who (?:is|can|decides))\b"
)
_PERSONAL_RE = re.compile(r"\b(?:i|me|my|we|our|us|mine|myself|he|she|him|her|they|them|his|their)\b")
_LONG_AGO_RE = re.compile(
    r"\b(?:\d+ years? ago|years ago|decades? ago|in (?:19|20)\d\d|in the (?:19)?[5-9]0s|in the 2000s|in the (?:eighties|nineties|seventies)|back in|as a (?:juvenile|teen|teenager|minor|kid)|when i was (?:\d+|young|a (?:teen|kid|minor|juvenile))|"
    r"expunge\w*|expungement|seal(?:ed|ing)?|background check|old (?:record|conviction|charge|arrest)|on my record|criminal record|record cleared|"
    r"pardon|my record|conviction from)\b"
)


def _legal_context_ok(doc: _Doc, m: "re.Match", *, long_ago_ok: bool = False) -> bool:
    """Shared exclusions for high-stakes rules: negation, hypotheticals, long-ago matters."""
    if _negated(doc, m, 4):
        return False
    sentence = doc.sentence_text(m)
    if _HYPO_LEGAL_RE.search(doc.before(m, 8, within="sentence") + m.group(0)):
        return False
    if not long_ago_ok and _LONG_AGO_RE.search(sentence) and not re.search(r"\b(?:pending|still (?:pending|open|fighting)|new charges?|again|this week|today|"
                                                                         r"tomorrow|next (?:week|month|hearing|court)|upcoming|court date)\b", sentence):
        return False
    return True


@rule("high:arrested", r"\b(?:(?P<who>i|he|she|they|we|my \w+(?: \w+)?|our \w+|his \w+|her \w+|(?:was|were|got|get|been|being|just got|is being|am being|recently got|"
      r"finally got|just been|was just|were just|has been|have been)) ){0,2}(?P<word>arrested|under arrest|arrest warrant|warrant for (?:my|his|her|their|our) arrest|"
      r"taken into custody|booked (?:into|in) (?:jail|county)|in jail|to jail|locked up|behind bars|in county jail|in county|bail|bailed out|bond hearing|"
      r"out on bail|out on bond|released on (?:bail|bond|my own recognizance|recognizance|pretrial)|bench warrant|arraigned|arraignment|indicted|indictment|a warrant out|have a warrant|has a warrant|there is a warrant|"
      r"warrant out for|public defender|plea deal|plea bargain|plea offer|probation violation|violated (?:my|his|her) (?:probation|parole)|parole violation|"
      r"probation officer|miss(?:ed)? (?:a |my )?(?:meeting|appointment|check in) with my (?:po|probation officer)|under investigation|"
      r"police want to (?:question|interview|talk to|speak (?:to|with)) (?:me|him|her|my \w+)|detective (?:wants|called|came|left)|"
      r"(?:searched|raided) (?:my|our) (?:house|home|car|apartment)|(?:my|his|her|our) (?:first |second |third |\w+ )?(?:dui|dwi|owi)|"
      r"(?:picked up|taken in|hauled in|brought in|taken away|detained|taken) by (?:the )?(?:police|sheriff|sheriffs|deputies|deputy|officers|fbi|feds)|"
      r"(?:police|sheriff|deputies|officers|fbi|feds) (?:picked up|took|detained|grabbed|came and took|hauled off) (?:me|him|her|them|my \w+)|being investigated|investigating (?:me|him|her|my \w+)|got a dui|got a dwi|got an owi|dui (?:arrest|case|charge|charges)|dwi (?:arrest|case|charge))\b",
      "An arrest or pending criminal case (the person or a family member): arrests, warrants, jail, bail, "
      "arraignment, a public defender, a plea deal, probation violation, police wanting to question me. Excluded: "
      "'I was never arrested', 'can I be arrested for ...', 'cardiac arrest', an old arrest being expunged.")
def _arrested(doc, m):
    if not _legal_context_ok(doc, m):
        return None
    word = m.group("word")
    sentence = doc.sentence_text(m)
    before = doc.before(m, 3)
    if word == "arrested" and re.search(r"\b(?:cardiac|almost|nearly|never|not)\b", before + m.group(0)):
        return None
    if word in ("bail", "bailed out") and not re.search(r"\b(?:jail|set|bond|hearing|post|posted|afford|pay|paid|money|amount|bondsman|judge|court|"
                                                        r"out on|make bail|made bail|release|arrest\w*|charged|county)\b", sentence.replace("bail bond", "")):
        return None  # "bail on plans", "bail out the company"
    if word in ("in jail", "to jail", "locked up", "behind bars", "in county") and not re.search(r"\b(?:is|are|am|was|were|went|sent|going|go|being|been|got|put|"
                                                                                                 r"spent|sitting|stuck|still|currently|now)\b", before + m.group(0)):
        return None
    if word == "in county" and not re.search(r"\b(?:jail|locked|booked|custody|is in county|are in county|am in county)\b", sentence + " " + m.group(0)):
        return None
    if word in ("locked up",) and re.search(r"\b(?:gun|guns|safe|valuables|house|doors)\b", doc.after(m, 3) + before):
        return None
    if word == "public defender" and (not _PERSONAL_RE.search(sentence) or re.search(
            r"\b(?:is|am|was|as|be|become|becoming|works as|work as|job as|career as|friend is|cousin is|brother is|sister is) (?:a )?public defender\b", sentence)):
        return None  # "my cousin is a public defender"
    if word == "under investigation" and not re.search(r"\b(?:police|criminal|fbi|detective|da|prosecutor|cps|sheriff|i am|he is|she is|my \w+ is)\b", sentence):
        return None
    if _GENERAL_QUESTION_RE.match(doc.text[doc.sentence(m.start())[0]:m.start()] + " ") and not re.search(r"\b(?:i|my|me|we|our)\b", sentence):
        return None
    return HIGH, "criminal_charges"


_CRIMES = (
    r"(?:a crime|crimes?|a felony|felony|felonies|a misdemeanor|misdemeanor|misdemeanors|dui|dwi|owi|assault|aggravated \w+|battery|domestic (?:violence|battery|assault)|"
    r"theft|grand theft|petty theft|possession|drug \w+|trafficking|robbery|burglary|fraud|murder|manslaughter|homicide|attempted \w+|"
    r"trespassing|trespass|harassment|stalking|shoplifting|larceny|vandalism|criminal \w+|disorderly conduct|resisting arrest|child endangerment|"
    r"endangerment|reckless driving|reckless endangerment|hit and run|leaving the scene|solicitation|prostitution|identity theft|embezzlement|"
    r"forgery|arson|kidnapping|sexual \w+|rape|indecent exposure|a sex offense|evading|fleeing|obstruction|contempt|violating|violation of|"
    r"unlawful \w+|illegal \w+|carrying|weapons? \w+|gun \w+|a gun|a weapon|dealing|distribution|intent to|conspiracy|money laundering|"
    r"bribery|perjury|threatening|terroristic \w+|menacing|stealing|breaking and entering|b and e|wire fraud|tax evasion|animal cruelty|"
    r"neglect|child abuse|abuse|elder abuse|dwi|public intoxication|minor in possession|underage drinking|driving (?:while|under|on a suspended)|"
    r"(?:first|second|third) degree \w+|a (?:class|level) \w+ (?:felony|misdemeanor)|\w+ counts? of)"
)


@rule("high:charged", rf"\b(?:(?P<who>i|he|she|they|we|my \w+(?: \w+)?|our \w+) )?(?:(?:was|were|got|am|is|are|been|being|have been|has been|had been|just got|just been|"
      rf"recently|will be|going to be|gonna be|about to be|might be|could be|may be) ){{0,2}}(?P<verb>charged|charging|accused|indicted|cited|booked) (?:(?:me|him|her|us|them|my \w+) )?(?:with|for) (?P<crime>{_CRIMES})|"
      rf"\b(?P<facing>facing|face|faces|pending|filed|file|filing|pressing|press|pressed|brought|bring|dropped|drop|dismissed|fighting|fight|beat|got|have|has|had|there are|"
      rf"new|serious|federal|state) (?:(?:a|an) )?(?:(?:criminal|felony|misdemeanor|federal|state|serious|the|some|dui|dwi|assault|drug|theft|battery|domestic violence|gun|weapons?|"
      rf"murder|fraud|sex|\w+ degree|possession) ){{0,2}}charges?\b(?P<against> (?:against|on) (?:me|us|him|her|them|my \w+|our \w+))?|"
      rf"\b(?:criminal|felony|misdemeanor|federal) (?:case|charges?|complaint|court|trial|summons|citation|investigation) (?:against|on|for) (?:me|us|him|her|my \w+)\b|"
      rf"\bmy (?:criminal|felony|misdemeanor|dui|dwi|assault|drug|theft) (?:case|charges?|trial|court date|hearing|arraignment|lawyer|attorney)\b|"
      rf"\b(?:my|his|her|their|our) (?:\w+ )?(?:criminal|felony|misdemeanor|dui|dwi|drug|assault|theft|battery|domestic violence|gun|weapons?|murder|fraud|"
      rf"possession|pending|trafficking|robbery|burglary) charges?\b",
      "Criminal charges, pending: 'charged with a felony', 'facing DUI charges', 'pressing charges against me', 'my "
      "criminal case'. 'Charged a late fee', 'charged my card twice', 'what is a felony' (general) do not count; "
      "charges the writer wants to press against someone else are a victim's matter, not a defence.")
def _charged(doc, m):
    if not _legal_context_ok(doc, m):
        return None
    sentence = doc.sentence_text(m)
    facing = m.group("facing")
    if m.group("verb"):
        if m.group("verb") == "cited" and not re.search(r"\b(?:criminal|misdemeanor|felony|dui|dwi|possession|assault|theft|trespass\w*)\b", m.group("crime")):
            return None  # traffic citations are not criminal charges
        if m.group("verb") == "accused" and not re.search(r"\b(?:police|arrest\w*|charged|criminal|court|cops|detective|prosecutor|da|report\w*|"
                                                          r"investigat\w*|felony|jail)\b", sentence):
            return None  # "my boss accused me of theft" is an employment matter until there is a charge
        if re.match(r"^(?:a crime|crimes?)$", m.group("crime")) and re.search(r"\b(?:never|not)\b", doc.before(m, 6)):
            return None
        return HIGH, "criminal_charges"
    if facing:
        against = m.group("against") or ""
        if facing in ("pressing", "press", "pressed", "filed", "file", "filing", "brought", "bring"):
            if not against or re.search(r"\b(?:him|her|them)\b", against):
                return None  # a victim pressing charges against someone else
            if re.search(r"\bagainst (?:my (?:ex|neighbou?r|landlord|boss|roommate|attacker|abuser))\b", against) and facing in ("pressing", "press", "pressed", "file", "filing"):
                # "I want to press charges against my ex": the writer is the victim.
                if re.search(r"\b(?:i|we) (?:want|would like|am|plan|decided|need|should|can)\b", doc.before(m, 5, within="sentence")):
                    return None
        if facing in ("got", "have", "has", "had", "there are", "new", "serious", "federal", "state") and not re.search(r"\b(?:criminal|felony|misdemeanor|dui|dwi|assault|drug|"
                                                                                                                          r"theft|battery|domestic violence|gun|weapons?|murder|fraud|"
                                                                                                                          r"sex|possession|federal|state|pending|new|serious|arrest\w*|"
                                                                                                                          r"police|court|jail)\b", sentence):
            return None  # "I have charges on my credit card"
        if re.search(r"\b(?:credit card|card|bank|fee|fees|bill|account|statement|invoice|hospital|medical|cell phone|phone bill|late|overdraft|"
                     r"unauthorized|fraudulent charges|dispute)\b", sentence) and not re.search(r"\b(?:criminal|police|arrest\w*|felony|misdemeanor|dui|court|jail)\b", sentence):
            return None
        if _GENERAL_QUESTION_RE.match(doc.text[doc.sentence(m.start())[0]:m.start()] + " ") and not re.search(r"\b(?:i|my|me|we|our)\b", sentence):
            return None
        return HIGH, "criminal_charges"
    return HIGH, "criminal_charges"


@rule("high:immigration", r"\b(?:(?:detained|held|stopped|pulled aside|taken into custody) (?:at|on) (?:the )?(?:border|airport|port of entry|crossing)|"
      r"(?:detained|arrested|picked up|taken|held|locked up|caught|grabbed|stopped|apprehended) by (?:ice|immigration|border patrol|cbp|dhs|la migra|"
      r"immigration (?:agents|officers|officials|police))|(?:ice|la migra|border patrol|cbp|immigration) (?:agents? |officers? |officials? |police )?(?:detained|arrested|picked up|"
      r"took (?:my|him|her|me|them|our)|grabbed|came (?:to|for) (?:my|our|me|him|her|the)|raided|is holding|are holding|has (?:my|him|her|our)|have (?:my|him|her|our)|"
      r"showed up|knocked|is detaining|are detaining|put a (?:hold|detainer)|placed a (?:hold|detainer)|is deporting|are deporting|wants to deport|took custody)|"
      r"(?:in|at|from|to|inside) (?:an? |the )?(?:ice|immigration) (?:detention|custody|jail|facility|center|hold|prison|processing center)|immigration detention|"
      r"detention (?:center|facility)|(?:deportation|removal) (?:hearing|proceedings?|case|order|court|notice|trial|process|date)|order of (?:removal|deportation)|"
      r"ordered (?:(?:me|him|her|them|us|my \w+) )?(?:deported|removed)|final (?:order|removal order)|notice to appear|immigration (?:court|hearing|judge|bond)|(?:ice|immigration) (?:detainer|hold)|"
      r"(?:am|is|are|being|getting|going to be|about to be|scheduled to be|will be|set to be|gonna be) deported|facing (?:deportation|removal)|fighting (?:deportation|removal|my deportation)|"
      r"(?:deport|deporting) (?:me|him|her|them|my \w+)|in removal|(?:i|we|he|she|they|my \w+|our \w+) (?:was|were|got|just got|has been|have been) deported)\b",
      "Immigration detention or removal: detained by ICE, a removal order, a notice to appear, immigration court, "
      "being deported. Excluded: 'slipped on ice', general visa or green card questions, 'can I be deported for a "
      "DUI' (a question about risk).")
def _immigration(doc, m):
    if not _legal_context_ok(doc, m, long_ago_ok=True):
        return None
    text = m.group(0)
    sentence = doc.sentence_text(m)
    if text.startswith("notice to appear") and re.search(r"\b(?:custody|traffic|ticket|divorce|eviction|criminal|jury|child support|small claims|"
                                                         r"misdemeanor|dui|probate|guardianship)\b", doc.text) and not re.search(
            r"\b(?:ice|immigration|deport\w*|asylum|border|visa|removal|undocumented|green card|migra|dhs|uscis)\b", doc.text):
        return None  # a court's "notice to appear" in a custody or traffic case
    if text.startswith("detention") and not re.search(r"\b(?:ice|immigration|deport\w*|asylum|border|visa|removal|undocumented|green card|migra)\b", sentence):
        return None  # juvenile detention is criminal, school detention is neither
    if re.search(r"\b(?:threatened|threatening|threatens|threaten) to (?:call|report|deport)\b", sentence) and not re.search(r"\b(?:detained|custody|court|hearing|order|notice)\b", text):
        return None
    if re.match(r"^(?:deportation|removal|immigration|notice|order|final)", text) and _GENERAL_QUESTION_RE.match(
            doc.text[doc.sentence(m.start())[0]:m.start()] + " ") and not re.search(r"\b(?:i|my|me|we|our)\b", sentence):
        return None  # "what is the process for a deportation hearing"
    if re.search(r"\b(?:was|were|got|been) (?:deported|removed)\b", sentence) and _LONG_AGO_RE.search(sentence):
        return None  # deported years ago: a re-entry question, not an emergency
    return HIGH, "immigration_detention"


@rule("high:eviction", r"\b(?:eviction (?:hearing|trial|court|case|lawsuit|suit|summons|complaint|papers|petition|filing|judgment|date|proceedings?|court date|"
      r"hearing date|trial date)|unlawful detainer|summary (?:possession|process|eviction|ejectment)|writ of (?:possession|restitution|eviction)|(?:possession|landlord tenant|"
      r"landlord and tenant|housing|l t) (?:court (?:date|hearing|case)|hearing|case|trial)|(?:have|got|had|in|at|to|go to|going to|summons to|date in) housing court|(?:landlord|property manager|management company|management|apartment complex|"
      r"owner|the complex|my landlady|landlady) (?:(?:is|has|have|already|just|finally) )*(?:suing|sued|filed (?:an? |for |to )?(?:eviction|evict|case|lawsuit|suit|"
      r"complaint|papers|possession|in court|against me|an unlawful detainer)|took me to court|is taking me to court|taking me to court|is evicting me in court|"
      r"went to court)|(?:served|got|received|handed) (?:with )?(?:an? |the )?(?:eviction (?:papers|summons|complaint|lawsuit|case)|summons (?:for|to) (?:eviction|housing court)|"
      r"court papers (?:for|about) (?:eviction|my apartment|rent))|court (?:date|hearing) for (?:the |my |an )?eviction|sheriff (?:is coming|will (?:come|remove)|lockout|notice|"
      r"posted|gave me)|(?:lockout|move out) (?:order|date) from (?:the )?(?:court|sheriff)|(?:judge|court) (?:ordered|gave) me (?:\w+ ){0,3}to (?:move out|vacate|leave))\b",
      "An eviction lawsuit or hearing (or a court-ordered move-out). A notice from the landlord ('30 day notice', "
      "'eviction notice on my door') is not yet a lawsuit; 'can my landlord evict me' is a question.")
def _eviction(doc, m):
    if not _legal_context_ok(doc, m):
        return None
    text = m.group(0)
    sentence = doc.sentence_text(m)
    if re.search(r"\b(?:sued|suing|took me to court|taking me to court|went to court|filed)\b", text) and not re.search(
            r"\b(?:evict\w*|possession|unlawful detainer|rent|move out|get me out|apartment|lease)\b", sentence):
        return None  # a landlord suing for damages after move-out is small claims
    if re.search(r"\b(?:sued|went to court)\b", text) and _past(sentence) and not re.search(r"\b(?:hearing|court date|trial|next|tomorrow|monday|tuesday|wednesday|"
                                                                                             r"thursday|friday|week|pending|still)\b", sentence):
        return None
    if _GENERAL_QUESTION_RE.match(doc.text[doc.sentence(m.start())[0]:m.start()] + " ") and not re.search(r"\b(?:i|my|me|we|our)\b", sentence):
        return None
    if re.search(r"\b(?:record|records|on my record|years ago|in (?:19|20)\d\d|background|screening|sealed|seal)\b", sentence) and not re.search(
            r"\b(?:next|tomorrow|pending|upcoming|this week|monday|tuesday|wednesday|thursday|friday|court date|hearing is|trial is)\b", sentence):
        return None
    if re.search(r"\b(?:i am|i m|im|as a|i own|my tenant|my tenants|the tenant|tenant is|tenant has|evict (?:my|a|the) tenant)\b", sentence) and re.search(r"\b(?:landlord|my tenant|tenants?)\b", sentence) \
            and re.search(r"\b(?:my tenant|the tenant|tenants|i am (?:a|the) landlord|as a landlord|i own)\b", sentence):
        return None  # a landlord evicting a tenant: not the writer facing eviction... but a hearing is still a deadline
    return HIGH, "eviction_hearing"


# --- court dates and deadlines within 14 days ---------------------------------------------------

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "forty five": 45, "sixty": 60, "ninety": 90,
    "a couple": 2, "a couple of": 2, "couple": 2, "couple of": 2, "a few": 3, "few": 3, "several": 5, "a handful of": 4,
}
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {m: i + 1 for i, m in enumerate((
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"))}
_MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12})
_NUM = r"(?:\d{1,3}|a couple(?: of)?|couple(?: of)?|a few|few|several|a handful of|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty five|forty|sixty|ninety)"
_UNIT = r"(?P<unit>business days?|calendar days?|court days?|working days?|days?|weeks?|hours?|hrs?|months?|years?)"
_TIME_RE = re.compile(
    rf" (?:(?P<rel>today|tonight|tomorrow|this (?:morning|afternoon|evening)|in the morning|first thing (?:in the morning|tomorrow)|"
    r"(?:this|next|the coming|coming) (?:week|weekend)|end of (?:the |this )?week|later this week|(?:in )?the next (?:few|couple of|couple|two|three|\d) days)"
    rf"|(?P<dayphrase>(?:(?:on|this|next|by|before|until|coming|this coming|on this|this upcoming|upcoming) )?(?P<day>{'|'.join(_DAYS)}))"
    rf"|(?P<span>(?:in|within|less than|under|only|just|about|around|like|in about|in only|in just|in like|by) (?P<n1>{_NUM}) {_UNIT})"
    rf"|(?P<count>(?P<n2>{_NUM}) {_UNIT.replace('(?P<unit>', '(?P<unit2>')} (?:from now|from today|away|left|to (?:respond|file|answer|appeal|reply|object|contest|pay|move|get|find|appear|show)|until|till|before))"
    rf"|(?P<absdate>(?:on |by |before )?(?:(?P<mon>{'|'.join(sorted(_MONTHS, key=len, reverse=True))}) (?P<dom>\d{{1,2}})(?:st|nd|rd|th)?(?: (?P<yr>20\d\d))?|"
    rf"(?P<mm>\d{{1,2}})/(?P<dd>\d{{1,2}})(?:/(?P<yy>\d{{2,4}}))?|the (?P<dom2>\d{{1,2}})(?:st|nd|rd|th)))"
    rf")(?= )"
)
_COURT_EVENT_RE = re.compile(
    r" (?:court|courthouse|hearing|hearings|trial|arraignment|sentencing|deposition|mediation|arbitration|pretrial|pre trial|status conference|"
    r"court date|court appearance|appear in court|appear before|in front of (?:a|the) judge|see (?:a|the) judge|before (?:a|the) judge|judge|"
    r"summons|subpoena|deadline|due (?:in|to|at|by|date)?|file|filing|respond|response|answer|appeal|motion|reply|object|objection|contest|"
    r"show cause|custody evaluation|protective order|restraining order|bond hearing|sentenced|plea)(?= )"
)
_NOT_COURT_EVENT_RE = re.compile(
    r" (?:hearing (?:aid|aids|loss|test|impaired|problems?|damage)|hard of hearing|basketball court|tennis court|food court|volleyball court|"
    r"court ?yard|free trial|trial (?:period|subscription|version|membership|offer|run|class|lesson|shift)|clinical trial|trial and error|"
    r"job interview|interview|rent is due|rent due|payment is due|bill is due|bills are due|due date for (?:my|the) (?:baby|rent|bill|payment)|"
    r"(?:baby|the baby) is due|i am due|she is due|due to|project deadline|deadline at work|work deadline|homework|assignment|exam|test|essay|"
    r"tax deadline|taxes are due|taxes due|file (?:my|our|the) taxes|file taxes|file a claim with (?:my|the) insurance|insurance claim|"
    r"file a complaint with (?:the )?(?:bbb|company|hr)|respond to (?:his|her|their|my) (?:text|email|message|letter)|answer (?:his|her|the|my) (?:phone|call|texts?|emails?)|"
    r"appeal to (?:him|her|them)|sex appeal|curb appeal|jury duty|jury service|jury summons|summons for jury|summoned for jury|"
    r"serve on a jury|juror)(?= )"
)
_PAST_TIME_BEFORE_RE = re.compile(r" (?:last|past|previous|this past|was|were|had|went to|attended|missed|happened|held|ended) (?:on )?$")
_LEGAL_DEADLINE_NEED_RE = re.compile(
    r"\b(?:court|hearing|trial|arraignment|sentencing|judge|summons|subpoena|lawsuit|sued|suing|complaint|petition|motion|appeal|"
    r"custody|divorce|eviction|landlord|probation|bail|bond|deposition|mediation|arbitration|filing|legal|case|protective order|"
    r"restraining order|order|default|judgment|garnish\w*|unemployment|benefits|denial|agency|ssa|ssi|ssdi|snap|medicaid|"
    r"immigration|uscis|asylum|removal|deportation|answer the|respond to the|response to the|plea|sentenced|jury|"
    r"(?:my|our|the|an) (?:answer|response|reply|appeal|brief|objection)|file (?:a|an|my|the) (?:response|answer|appeal|motion|reply|objection))\b"
)


def _days_until(m: "re.Match", today: date) -> Optional[int]:
    """Days from today to the time expression, or None when it is not a definite near date."""
    g = m.groupdict()
    if g["rel"]:
        rel = g["rel"]
        if rel in ("today", "tonight", "this morning", "this afternoon", "this evening"):
            return 0
        if rel in ("tomorrow", "in the morning") or rel.startswith("first thing"):
            return 1
        if rel in ("next week", "the coming week", "coming week"):
            return 7
        if "next" in rel and "days" in rel:
            return 3
        return 3  # this week / this weekend / end of the week
    if g["day"]:
        ahead = (_DAYS.index(g["day"]) - today.weekday()) % 7 or 7
        # "next friday" is the coming one or the one after: within 14 days either way.
        return ahead + 7 if g["dayphrase"].startswith("next ") and ahead < 7 else ahead
    if g["span"] or g["count"]:
        raw = (g["n1"] or g["n2"]).strip()
        unit = (g["unit"] or g["unit2"] or "").strip()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
        if n is None:
            return None
        if unit.startswith(("hour", "hr")):
            return n // 24
        if unit.startswith("week"):
            return n * 7
        if unit.startswith("month"):
            return n * 30
        if unit.startswith("year"):
            return n * 365
        if unit.startswith(("business", "court", "working")):
            return n + 2 * (n // 5)
        return n
    if g["absdate"]:
        try:
            if g["mon"]:
                year = int(g["yr"]) if g["yr"] else today.year
                target = date(year, _MONTHS[g["mon"]], int(g["dom"]))
                if not g["yr"] and target < today - timedelta(days=1):
                    target = date(year + 1, target.month, target.day)
            elif g["mm"]:
                year = int(g["yy"]) if g["yy"] else today.year
                year = year + 2000 if year < 100 else year
                target = date(year, int(g["mm"]), int(g["dd"]))
                if not g["yy"] and target < today - timedelta(days=1):
                    target = date(year + 1, target.month, target.day)
            else:
                day = int(g["dom2"])
                month, year = today.month, today.year
                if day < today.day:
                    month, year = (1, year + 1) if month == 12 else (month + 1, year)
                target = date(year, month, day)
        except ValueError:
            return None
        return (target - today).days
    return None


def _court_deadlines(doc: _Doc, today: date) -> List[str]:
    """court_deadline: a court/legal event and a date within 14 days, close together in one sentence."""
    text = doc.text
    hits: List[str] = []
    times = list(_TIME_RE.finditer(text))
    if not times:
        return hits
    masked = _NOT_COURT_EVENT_RE.sub(lambda x: " " + "_" * (len(x.group(0)) - 1), text)
    events = list(_COURT_EVENT_RE.finditer(masked))
    if not events:
        return hits
    for t in times:
        days = _days_until(t, today)
        if days is None or days < 0 or days > 14:
            continue
        before = text[max(0, t.start() - 30):t.start() + 1]
        if _PAST_TIME_BEFORE_RE.search(before):
            continue
        s0, s1 = doc.sentence(t.start())
        sentence = text[s0:s1]
        if re.search(r"\b(?:jury (?:duty|service|summons)|juror|summoned for jury)\b", sentence):
            continue
        if t.group("day") or t.group("absdate") or (t.group("rel") or "").startswith(("this", "end", "later", "next", "the coming", "coming")):
            # "friday" or "next week" alone is common in chat: the sentence must be about a legal matter.
            if not _LEGAL_DEADLINE_NEED_RE.search(sentence):
                continue
        for e in events:
            if not (s0 <= e.start() < s1):
                continue
            gap = text[min(e.end(), t.start()):max(e.start(), t.end())]
            if len(gap.split()) > 12:
                continue
            word = e.group(0).strip()
            if word in ("file", "filing", "respond", "response", "answer", "appeal", "motion", "reply", "object", "objection", "contest",
                        "deadline", "due", "due in", "due to", "due at", "due by", "due date", "judge") and not _LEGAL_DEADLINE_NEED_RE.search(sentence):
                continue
            if word.startswith("due to"):
                continue
            ev_window = text[max(s0, e.start() - 40):e.start() + 1]
            if re.search(r" (?:not|no|never|without) (?:\w+ )?$", ev_window) and not re.search(r"\bnot until\b", ev_window):
                continue
            between = text[min(e.end(), t.start()):max(e.start(), t.end())]
            if re.search(r"\b(?:was|were|had|happened|went)\b", between) and not re.search(r"\b(?:moved|rescheduled|postponed|continued|changed|reset|pushed|set|is|will)\b", between):
                continue
            if re.search(r"\b(?:postponed|continued|moved|rescheduled|pushed back) (?:from|until) (?:\w+ ){0,2}$", text[max(s0, t.start() - 40):t.start() + 1]):
                continue
            if re.search(r"\b(?:postponed|continued|moved|rescheduled|pushed (?:back|out))\b", sentence) and re.search(
                    r"\b(?:to|until) (?:next month|\w+ months|\w+ weeks|next year|(?:in )?\d+ (?:weeks|months))\b", sentence) and " from " in sentence:
                continue
            hits.append("court_deadline")
            return hits
    # "I missed my court date" needs urgent help too (a warrant or a default may follow).
    return hits


_MISSED_COURT_RE = re.compile(r"\b(?:missed|miss|missing|did not go to|did not show up (?:to|for|at)|forgot|slept through|failed to appear (?:at|for)?) (?:my |the |a |our )?(?:court date|court hearing|hearing|court|arraignment|trial)\b|\bfailure to appear\b")


# =============================================================================================
# assess
# =============================================================================================

def _clip(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    half = MAX_CHARS // 2
    return text[:half] + "\n" + text[-half:]


def assess(text: str, *, today: Optional[date] = None) -> Assessment:
    """Assess one message. `today` fixes the date used for "on March 5" style court dates (tests)."""
    result = Assessment()
    if not text or not text.strip():
        return result
    doc = _Doc(_normalize(_clip(text)))
    found: Dict[str, str] = {}  # category -> level
    rules_fired: List[str] = []
    pending_presence: List[str] = []
    for r in _RULES:
        for m in r.regex.finditer(doc.text):
            decision = r.decide(doc, m)
            if decision is None:
                continue
            level, category = decision
            if level == "context":
                pending_presence.append(category)
                rules_fired.append(r.rule_id + "?")
                continue
            rules_fired.append(r.rule_id)
            if level == HIGH:
                found.setdefault(category, HIGH)
            elif level == EMERGENCY or found.get(category) != EMERGENCY:
                found[category] = level
    # The abuser being here, in a message that also speaks of abuse or threats, is an emergency.
    if pending_presence and any(lvl in (EMERGENCY, ABUSE) for cat, lvl in found.items() if cat not in HIGH_STAKES_CATEGORIES):
        for category in pending_presence:
            found[category] = EMERGENCY
            rules_fired.append("threat_now:presence")

    high = [c for c in HIGH_STAKES_CATEGORIES if found.get(c) == HIGH]
    if "court_deadline" not in high:
        if _court_deadlines(doc, today or date.today()) or _MISSED_COURT_RE.search(doc.text):
            high.insert(min(len(high), 2), "court_deadline")
            rules_fired.append("high:court_deadline")
        high = [c for c in HIGH_STAKES_CATEGORIES if c in high]
    emergency = [c for c in EMERGENCY_CATEGORIES if found.get(c) == EMERGENCY]
    abuse = [c for c in ABUSE_CATEGORIES if found.get(c) == ABUSE]
    # An abuse category can also be escalated to emergency (e.g. "stalking" via presence): keep both kinds.
    if emergency:
        result.level = EMERGENCY
    elif abuse:
        result.level = ABUSE
    result.categories = emergency + abuse
    result.high_stakes = high
    result.rules = rules_fired
    return result


def explain() -> List[Tuple[str, str]]:
    """(rule id, why) for every rule, for reviewers and the benchmark report."""
    return [(r.rule_id, r.why) for r in _RULES]
