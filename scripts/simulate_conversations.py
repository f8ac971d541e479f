"""Fill a demo database by chatting with the real bot through the app's POST /api/chat.

    .venv-app/bin/python scripts/simulate_conversations.py                      # 200 conversations
    .venv-app/bin/python scripts/simulate_conversations.py --count 50 --seed 7 --base-url http://127.0.0.1:8000

Each simulated person has a plan drawn from templates written here: maybe a greeting, then a
problem in lay language on one of the 16 topics (clear, vague, several issues at once, urgent, or
not legal at all), or a direct request for a lawyer. They then react to what the bot sends: they
click the quick-reply buttons they receive (clarifying question, feedback, lawyer offer, consent,
urgency), give "This helped" / "This didn't help", rephrase once, accept or decline a lawyer and
fill the lead form with clearly fake data ("Test Person", test-N@example.com, "TX").

Afterwards, with the service token (SERVICE_TOKEN, or var/secrets.env as written by `make run`),
some of the leads the run created are moved along the pipeline with PATCH /api/leads/{id}/status
(contacted, consultation scheduled, retained / not retained, closed) so conversion figures are not
empty. Only leads of this run's conversations are touched (their conversation id starts with the
run's sender prefix).

This is for demo and test databases only: it creates real leads, and lawyers may be notified
(use the file notifier). The count is bounded (--count, at most 5000); 429 answers are honoured
(Retry-After) rather than worked around.
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import httpx

REPO = Path(__file__).resolve().parent.parent
MAX_COUNT = 5000
MAX_TURNS = 16

# --- templates ------------------------------------------------------------------------------------

GREETINGS = ["hi", "hello", "Hi there", "hey", "good morning", "Hello, I need some help", "hi, is anyone there?"]
THANKS = ["thanks", "thank you!", "ok thanks", "great, thank you", "that's helpful, thanks"]
GOODBYES = ["bye", "goodbye", "ok bye"]
PREFIXES = ["", "", "", "Hi, ", "Question: ", "I need help. ", "Not sure who to ask. ", "Please help, "]
SUFFIXES = ["", "", "", " What can I do?", " What are my rights?", " Is that legal?", " Where do I start?",
            " What should I do next?"]

TOPIC_MESSAGES: dict[str, list[str]] = {
    "benefits": [
        "my unemployment claim got denied and I don't understand why",
        "they cut off my food stamps without telling me",
        "my disability application was rejected, can I appeal",
        "I got a letter saying I was overpaid on unemployment and have to pay it back",
        "how do I apply for SNAP if I just lost my job",
        "my SSI payments stopped after I moved",
    ],
    "business": [
        "I want to start a small bakery from home, do I need a license",
        "my business partner took money from our company account",
        "a client won't pay the invoice for work I already did",
        "should I form an LLC for my cleaning business",
        "I'm a freelancer and a company is refusing to pay my contract",
        "how do I register a small business name",
    ],
    "consumer": [
        "a debt collector keeps calling me at work about a debt that isn't mine",
        "I bought a used car and it broke down a week later, the dealer won't help",
        "I got scammed online and paid for something that never came",
        "there's an error on my credit report and it's hurting my score",
        "the bank keeps charging me overdraft fees I didn't agree to",
        "a company won't give me a refund for a broken phone",
    ],
    "courts": [
        "I got served papers saying I'm being sued, what do I do",
        "how do I file a case in small claims court",
        "I missed my court date, what happens now",
        "how do I get a copy of my court records",
        "I want to appeal a judge's decision in my case",
        "what do I wear and bring to court as someone without a lawyer",
    ],
    "crime": [
        "my son was arrested last night, what happens next",
        "can I get an old conviction removed from my record",
        "the police searched my car without asking, is that allowed",
        "I got charged with shoplifting, do I need a lawyer",
        "how do bail hearings work",
        "I was a witness to a crime and I'm scared to testify",
    ],
    "divorce": [
        "I want to get divorced but my husband won't sign anything",
        "how do we split the house in a divorce",
        "can I get alimony after 15 years of marriage",
        "my wife moved out and I want to file for divorce",
        "how long does an uncontested divorce take",
        "we're separating, what happens to our debts",
    ],
    "domestic_violence": [
        "my ex keeps showing up at my house and threatening me",
        "how do I get a restraining order against my partner",
        "my boyfriend controls all my money and won't let me leave",
        "I need a protective order, my ex is stalking me",
        "my partner pushed me and I'm afraid to go home",
        "can a protection order make him move out of our apartment",
    ],
    "education": [
        "my child's school won't give him an IEP for his learning disability",
        "my daughter was suspended from school for something she didn't do",
        "the school is refusing to enroll my kids because of our address",
        "my son is being bullied at school and the principal does nothing",
        "can a college take back my financial aid",
        "I want to get my kid tested for special education services",
    ],
    "employment": [
        "my boss hasn't paid me for the last two weeks",
        "I was fired after I told HR I was pregnant",
        "my employer doesn't pay overtime even though I work 50 hours",
        "I got hurt at work and my boss says I can't file a claim",
        "my manager keeps making sexual comments at work",
        "they fired me without any warning, can they do that",
    ],
    "estates": [
        "my dad died without a will, who gets the house",
        "how do I make a simple will",
        "my sister is the executor and won't tell us anything about mom's estate",
        "do I need to go to probate for my grandmother's small bank account",
        "how do I set up a power of attorney for my elderly mother",
        "my brother is trying to sell our late father's house without asking us",
    ],
    "family": [
        "I want to get custody of my kids, their dad isn't taking care of them",
        "my ex stopped paying child support",
        "how do I change the visitation schedule for my daughter",
        "I want to adopt my stepson",
        "can grandparents get visitation rights",
        "my ex wants to move to another state with our kids",
    ],
    "health": [
        "my health insurance denied coverage for my surgery",
        "the hospital sent me a huge bill and I have no money",
        "how do I apply for Medicaid",
        "my medical records are wrong and the doctor won't fix them",
        "I got kicked off Medicaid and don't know why",
        "the nursing home is trying to discharge my mother",
    ],
    "housing": [
        "my landlord won't give back my security deposit",
        "I got an eviction notice, how long do I have to move out",
        "my apartment has mold and the landlord won't fix it",
        "the landlord changed the locks while I was at work",
        "my landlord is raising the rent by 30 percent, is that allowed",
        "there's no heat in my apartment and it's winter",
    ],
    "immigration": [
        "my green card expires next month, how do I renew it",
        "I want to bring my wife here from another country",
        "how do I apply for citizenship",
        "my work visa is ending and I want to stay",
        "can I apply for asylum if I'm afraid to go back home",
        "my DACA is about to expire",
    ],
    "torts": [
        "my neighbor's dog bit my son",
        "I slipped on a wet floor at the grocery store and broke my wrist",
        "a tree from next door fell on my car",
        "someone is posting lies about me online and I lost my job",
        "the doctor made a mistake during my surgery",
        "I got hurt by a defective product",
    ],
    "traffic": [
        "I got a speeding ticket, should I fight it",
        "my driver's license got suspended for unpaid tickets",
        "I was in a car accident and the other driver has no insurance",
        "I got a DUI last weekend",
        "my car got towed and they want a lot of money to release it",
        "how do I get my license back after a suspension",
    ],
}
TOPICS = tuple(TOPIC_MESSAGES)

VAGUE = [
    "I have a problem with my ex and money",
    "something happened at my apartment and my job",
    "I got a letter and I don't know what it means",
    "it's about my family and some papers",
    "I need help with a legal thing",
    "there's an issue with a payment",
]
OUT_OF_SCOPE = ["what's the weather tomorrow", "can you recommend a good pizza place", "tell me a joke",
                "what time is it", "who won the game last night"]
HIGH_STAKES = [
    "I have an eviction hearing tomorrow morning and I don't know what to do",
    "I have a court date next week for a criminal charge",
    "immigration detained my brother yesterday",
    "my deadline to respond to the lawsuit is in two days",
]
LAWYER_REQUESTS = ["I want to talk to a lawyer", "can I speak with a real lawyer please",
                   "I need a lawyer for my {label} problem", "connect me with an attorney"]
LABELS = {
    "benefits": "benefits", "business": "business", "consumer": "debt", "courts": "court", "crime": "criminal",
    "divorce": "divorce", "domestic_violence": "restraining order", "education": "school", "employment": "job",
    "estates": "inheritance", "family": "custody", "health": "medical bill", "housing": "eviction",
    "immigration": "immigration", "torts": "injury", "traffic": "traffic ticket",
}
STYLES = (("clear", 0.56), ("vague", 0.1), ("complex", 0.08), ("high_stakes", 0.06), ("out_of_scope", 0.06),
          ("lawyer_first", 0.14))
FAKE_NAME = "Test Person"
FAKE_STATE = "TX"


def compose(prefix: str, core: str, suffix: str) -> str:
    """Prefix + core + suffix as a person would type it (capital after a full stop, a full stop before a suffix)."""
    if not prefix or prefix.rstrip().endswith((".", ":")):
        core = core[:1].upper() + core[1:]
    if suffix and not core.endswith((".", "?", "!")):
        core += "."
    return prefix + core + suffix


def complex_story(rng: random.Random, first: str, second: str) -> str:
    a, b = rng.choice(TOPIC_MESSAGES[first]), rng.choice(TOPIC_MESSAGES[second])
    return (f"So this has been a really hard few months for me and I honestly don't know where to start. First, {a}. "
            f"On top of that, {b}. I have been trying to handle all of it by myself while working and taking care of "
            f"my family, and I keep getting letters I don't understand. I just want to know what my options are.")


# --- the simulated person ------------------------------------------------------------------------

@dataclass
class Persona:
    n: int
    sender: str
    topic: str
    style: str
    greet: bool
    opener: str
    feedback: str | None          # "helpful" | "not_helpful" | None (no feedback)
    ask_lawyer_after_answer: bool
    accept_lawyer: bool
    consent: bool
    cancel_form: bool
    rephrase: bool
    say_thanks: bool

    @property
    def email(self) -> str:
        return f"test-{self.n}@example.com"


def make_persona(rng: random.Random, n: int, sender: str) -> Persona:
    if n <= len(TOPICS):  # the first 16 people ask a clear question on each topic in turn
        topic, style = TOPICS[n - 1], "clear"
    else:
        topic = rng.choice(TOPICS)
        style = rng.choices([s for s, _ in STYLES], weights=[w for _, w in STYLES])[0]
    if style == "clear":
        opener = compose(rng.choice(PREFIXES), rng.choice(TOPIC_MESSAGES[topic]), rng.choice(SUFFIXES))
    elif style == "vague":
        opener = rng.choice(VAGUE)
    elif style == "complex":
        opener = complex_story(rng, topic, rng.choice([t for t in TOPICS if t != topic]))
    elif style == "high_stakes":
        opener = rng.choice(HIGH_STAKES)
    elif style == "out_of_scope":
        opener = rng.choice(OUT_OF_SCOPE)
    else:
        opener = rng.choice(LAWYER_REQUESTS).format(label=LABELS[topic])
    return Persona(
        n=n, sender=sender, topic=topic, style=style, greet=rng.random() < 0.35, opener=opener,
        feedback=rng.choices(["helpful", "not_helpful", None], weights=[0.5, 0.25, 0.25])[0],
        ask_lawyer_after_answer=rng.random() < 0.2, accept_lawyer=rng.random() < 0.6, consent=rng.random() < 0.8,
        cancel_form=rng.random() < 0.08, rephrase=rng.random() < 0.5, say_thanks=rng.random() < 0.3,
    )


@dataclass
class Reply:
    text: str
    buttons: list[dict]
    kind: str | None


@dataclass
class Stats:
    conversations: int = 0
    messages: int = 0
    errors: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    styles: Counter = field(default_factory=Counter)
    topics: Counter = field(default_factory=Counter)
    leads_submitted: int = 0
    leads_moved: Counter = field(default_factory=Counter)


class ChatError(RuntimeError):
    pass


class Chat:
    """POST /api/chat with the widget's request shape; 429 and 503 are retried after a pause."""

    def __init__(self, client: httpx.Client, stats: Stats, *, delay: float = 0.0, sleep: Callable[[float], None] = time.sleep,
                 retries: int = 5):
        self.client, self.stats, self.delay, self.sleep, self.retries = client, stats, delay, sleep, retries

    def send(self, sender: str, message: str, display: str | None = None) -> list[Reply]:
        headers = {"X-Display-Text": display.encode("ascii", "ignore").decode()[:200]} if display else {}
        for attempt in range(self.retries + 1):
            try:
                response = self.client.post("/api/chat", json={"sender": sender, "message": message}, headers=headers)
            except httpx.TransportError as exc:
                self.stats.errors[type(exc).__name__] += 1
                if attempt == self.retries:
                    raise ChatError(f"cannot reach the app: {exc}") from exc
                self.sleep(min(2 ** attempt, 30))
                continue
            if response.status_code in (429, 503) and attempt < self.retries:
                self.stats.errors[str(response.status_code)] += 1
                retry_after = response.headers.get("Retry-After", "")
                self.sleep(float(retry_after) if retry_after.replace(".", "", 1).isdigit() else min(2 ** attempt, 30))
                continue
            if response.status_code != 200:
                self.stats.errors[str(response.status_code)] += 1
                raise ChatError(f"POST /api/chat answered {response.status_code}: {response.text[:200]}")
            self.stats.messages += 1
            if self.delay:
                self.sleep(self.delay)
            replies = [Reply(m.get("text") or "", m.get("buttons") or [], m.get("kind"))
                       for m in response.json().get("messages", [])]
            for reply in replies:
                self.stats.kinds[reply.kind or "text"] += 1
            return replies
        raise ChatError("POST /api/chat kept refusing")


def _button(replies: list[Reply], predicate: Callable[[dict], bool]) -> dict | None:
    for reply in reversed(replies):
        for button in reply.buttons:
            if predicate(button):
                return button
    return None


def _has(replies: list[Reply], *phrases: str) -> bool:
    last = replies[-1].text.lower() if replies else ""
    return any(p in last for p in phrases)


class Person:
    """Reacts to the bot's last replies like the persona would; `next_message` returns (message, display) or None."""

    def __init__(self, persona: Persona, rng: random.Random):
        self.p, self.rng = persona, rng
        self.gave_feedback = False
        self.rephrased = False
        self.asked_lawyer = False
        self.done = False

    def next_message(self, replies: list[Reply]) -> tuple[str, str | None] | None:
        p = self.p
        if not replies or self.done:
            return None
        kinds = {r.kind for r in replies}
        if "handoff_done" in kinds or _has(replies, "nothing was sent", "i've stopped"):
            self.done = True
            return None
        # The lead form (its prompts have no kind; they are recognised by their wording).
        if "consent" in kinds:
            return ("/affirm", "Yes, I agree") if p.consent else ("/deny", "No")
        if _has(replies, "what name should", "type just your name"):
            return ("cancel", None) if p.cancel_form else (FAKE_NAME, None)
        if _has(replies, "email address or phone", "doesn't look like an email"):
            return (p.email, None)
        if _has(replies, "which us state", "type a us state"):
            return (FAKE_STATE, None)
        if _has(replies, "summary i'll share"):
            if p.style in ("lawyer_first", "out_of_scope", "vague"):  # what they said so far is no summary: type one
                return (compose("", self.rng.choice(TOPIC_MESSAGES[p.topic]), "."), None)
            return ("/affirm", "Yes, that's right")
        if _has(replies, "what is your legal problem about", "describe the problem in a sentence"):
            text = p.opener if len(p.opener) >= 10 else self.rng.choice(TOPIC_MESSAGES[p.topic])
            return (text, None)
        if _has(replies, "how urgent", "choose high, normal or low"):
            button = self.rng.choice(replies[-1].buttons) if replies[-1].buttons else {"payload": "normal", "title": "Normal"}
            return (button["payload"], button.get("title"))
        # Quick replies of the dialogue.
        if "clarify" in kinds:
            mine = _button(replies, lambda b: f'"{p.topic}"' in b.get("payload", ""))
            button = mine or _button(replies, lambda b: True)
            return (button["payload"], button.get("title")) if button else None
        if "handoff" in kinds:
            return ("/affirm", "Yes, connect me with a lawyer") if p.accept_lawyer else ("/deny", "No thanks")
        if "answer" in kinds and not self.gave_feedback:
            self.gave_feedback = True
            if p.feedback == "helpful":
                return ("/feedback_helpful", "This helped")
            if p.feedback == "not_helpful":
                return ("/feedback_not_helpful", "This didn't help")
            if p.ask_lawyer_after_answer:
                self.asked_lawyer = True
                return ("/request_lawyer", "Talk to a lawyer")
            return self._closing()
        if _has(replies, "tell me a bit more about your situation") and not self.rephrased:
            self.rephrased = True
            if p.rephrase:
                return (self.rng.choice(TOPIC_MESSAGES[p.topic]), None)
            return ("/request_lawyer", "Talk to a lawyer")
        if "answer" in kinds and self.gave_feedback:
            return self._closing()
        if _has(replies, "legal problems, like", "tell me in your own words", "describe your legal problem",
                "what legal problem", "didn't understand") and not self.rephrased:
            # Out of scope or not understood: say what it is about, once.
            self.rephrased = True
            return (self.rng.choice(TOPIC_MESSAGES[p.topic]), None)
        button = _button(replies[-1:], lambda b: True)
        if button and self.rng.random() < 0.5:
            return (button["payload"], button.get("title"))
        return self._closing()

    def _closing(self) -> tuple[str, str | None] | None:
        self.done = True
        return (self.rng.choice(THANKS + GOODBYES), None) if self.p.say_thanks else None


def run_conversation(chat: Chat, persona: Persona, rng: random.Random) -> None:
    person = Person(persona, rng)
    if persona.greet:
        chat.send(persona.sender, rng.choice(GREETINGS))
    replies = chat.send(persona.sender, persona.opener)
    for _ in range(MAX_TURNS):
        step = person.next_message(replies)
        if step is None:
            break
        message, display = step
        replies = chat.send(persona.sender, message, display)
        if any(r.kind == "handoff_done" for r in replies):
            chat.stats.leads_submitted += 1


# --- moving leads along the pipeline --------------------------------------------------------------

# Where a simulated lead ends up (from `assigned`); leads without a lawyer (`new`) can only be closed.
PATHS = (
    ((), 0.2),
    (("contacted",), 0.12),
    (("contacted", "consultation_scheduled"), 0.1),
    (("contacted", "consultation_scheduled", "retained"), 0.3),
    (("contacted", "consultation_scheduled", "not_retained"), 0.16),
    (("closed",), 0.12),
)


def service_token(env: dict | None = None, secrets_file: Path = REPO / "var" / "secrets.env") -> str | None:
    env = os.environ if env is None else env
    if env.get("SERVICE_TOKEN"):
        return env["SERVICE_TOKEN"]
    if secrets_file.exists():
        for line in secrets_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "SERVICE_TOKEN" and value.strip():
                return value.strip()
    return None


def run_leads(client: httpx.Client, token: str, prefix: str, rng: random.Random, stats: Stats) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    leads, page = [], 1
    while True:
        response = client.get("/api/leads", params={"q": prefix, "per_page": 100, "page": page}, headers=headers)
        if response.status_code != 200:
            stats.errors[f"leads {response.status_code}"] += 1
            print(f"GET /api/leads answered {response.status_code}; leads not moved", file=sys.stderr)
            return
        body = response.json()
        leads += [lead for lead in body.get("items", []) if str(lead.get("conversation_id", "")).startswith(prefix)]
        if page * body.get("per_page", 100) >= body.get("total", 0):
            break
        page += 1
    for lead in leads:
        if lead.get("status") == "new":
            steps: tuple[str, ...] = ("closed",) if rng.random() < 0.3 else ()
        elif lead.get("status") == "assigned":
            steps = rng.choices([p for p, _ in PATHS], weights=[w for _, w in PATHS])[0]
        else:
            continue
        for status in steps:
            body = {"status": status, "actor": "simulation"}
            if status == "not_retained":
                body["reason"] = "Simulated: the person chose another option"
            if status == "closed":
                body["reason"] = "Simulated: could not reach the person"
            response = client.patch(f"/api/leads/{lead['id']}/status", json=body, headers=headers)
            if response.status_code != 200:
                stats.errors[f"lead status {response.status_code}"] += 1
                break
            stats.leads_moved[status] += 1


# --- CLI ------------------------------------------------------------------------------------------

def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_COUNT}")
    return value


def main(argv: list[str] | None = None, *, transport: httpx.BaseTransport | None = None,
         sleep: Callable[[float], None] = time.sleep) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="the app (default: %(default)s)")
    parser.add_argument("--count", type=_count, default=200, help=f"conversations to run (1..{MAX_COUNT}, default 200)")
    parser.add_argument("--seed", type=int, help="random seed (the same seed gives the same conversations)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait after each message")
    parser.add_argument("--timeout", type=float, default=60.0, help="HTTP timeout in seconds")
    parser.add_argument("--no-leads", action="store_true", help="don't move leads along the pipeline")
    parser.add_argument("--dry-run", action="store_true", help="print the planned openers, send nothing")
    args = parser.parse_args(argv)

    seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
    rng = random.Random(seed)
    prefix = f"sim-{seed}-{secrets.token_hex(3)}-"
    personas = [make_persona(rng, n, f"{prefix}{n:04d}") for n in range(1, args.count + 1)]
    if args.dry_run:
        for p in personas:
            print(f"{p.sender}\t{p.topic}\t{p.style}\t{p.opener}")
        return 0

    stats = Stats()
    started = time.monotonic()
    with httpx.Client(base_url=args.base_url, timeout=args.timeout, transport=transport) as client:
        chat = Chat(client, stats, delay=args.delay, sleep=sleep)
        for persona in personas:
            try:
                run_conversation(chat, persona, rng)
            except ChatError as exc:
                print(f"{persona.sender}: {exc}", file=sys.stderr)
                if stats.conversations == 0:
                    print("Is the stack running (`make run`)?", file=sys.stderr)
                    return 1
                continue
            stats.conversations += 1
            stats.styles[persona.style] += 1
            stats.topics[persona.topic] += 1
            if stats.conversations % 25 == 0:
                print(f"... {stats.conversations}/{args.count} conversations", file=sys.stderr)
        token = None if args.no_leads else service_token()
        if token:
            run_leads(client, token, prefix, rng, stats)
        elif not args.no_leads:
            print("No SERVICE_TOKEN (environment or var/secrets.env): leads were not moved along the pipeline.",
                  file=sys.stderr)

    print(f"seed {seed}, sender prefix {prefix}: {stats.conversations} conversations, {stats.messages} messages "
          f"in {time.monotonic() - started:.0f}s")
    print(f"styles: {dict(stats.styles)}")
    print(f"bot replies by kind: {dict(stats.kinds)}")
    print(f"leads submitted: {stats.leads_submitted}; moved: {dict(stats.leads_moved) or 'none'}")
    if stats.errors:
        print(f"errors/retries: {dict(stats.errors)}")
    return 0 if stats.conversations else 1


if __name__ == "__main__":
    sys.exit(main())
