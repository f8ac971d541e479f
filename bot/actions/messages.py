"""Texts the actions send. Kept together so wording (and its legal care) is reviewed in one place."""
from __future__ import annotations

DISCLAIMER = "This is general information, not legal advice."

TOPIC_LABELS = {
    "benefits": "public benefits (like disability, unemployment or food assistance)",
    "business": "a business or self-employment matter",
    "consumer": "debts, purchases, scams or credit",
    "courts": "a court case or court procedure",
    "crime": "a criminal matter or police",
    "divorce": "divorce or separation",
    "domestic_violence": "abuse or a protective order",
    "education": "school or education",
    "employment": "your job or workplace",
    "estates": "wills, inheritance or a relative's estate",
    "family": "children, custody or family relationships",
    "health": "health care or health insurance",
    "housing": "your rental housing or home",
    "immigration": "immigration or visas",
    "torts": "an injury, damage or being harmed by someone",
    "traffic": "a traffic ticket, driving or a car accident",
}

SHORT_LABELS = {
    "benefits": "Public benefits", "business": "Business", "consumer": "Debt & consumer", "courts": "Court process",
    "crime": "Criminal matter", "divorce": "Divorce", "domestic_violence": "Abuse / protection",
    "education": "School / education", "employment": "Work / job", "estates": "Wills & estates",
    "family": "Family & children", "health": "Health care", "housing": "Housing", "immigration": "Immigration",
    "torts": "Injury / damage", "traffic": "Traffic / driving",
}

EMERGENCY_TEXT = (
    "If you are in immediate danger, call 911 now.\n"
    "• If you are thinking about suicide or are in a mental-health crisis, call or text 988 (Suicide & Crisis Lifeline).\n"
    "• For domestic violence, the National Domestic Violence Hotline is free and confidential, 24/7: "
    "1-800-799-7233 (or text START to 88788).\n"
    "When you are safe, I can help you find legal help, like a protective order or a lawyer."
)

ABUSE_TEXT = (
    "I'm sorry you're dealing with this. You don't have to face it alone. The National Domestic Violence "
    "Hotline (1-800-799-7233, or text START to 88788) offers free, confidential help 24/7, including safety "
    "planning. If you are ever in immediate danger, call 911.\n"
    "A court can issue a protective (restraining) order to keep an abuser away from you; court self-help "
    "centers and legal-aid offices can help you apply, often for free."
)

HIGH_STAKES_TEXT = {
    "criminal_charges": "Criminal charges can have serious consequences, so it's important to speak with a lawyer "
    "(a public defender if you can't afford one) before you talk to police or go to court.",
    "immigration_detention": "Detention or removal (deportation) proceedings move fast and the stakes are high. "
    "Please talk to an immigration lawyer or a nonprofit accredited representative as soon as possible.",
    "court_deadline": "With a court date or deadline coming up soon, acting quickly matters. A lawyer can tell you "
    "what to file and by when.",
    "eviction_hearing": "An eviction hearing is coming up: go to it, and try to get legal help before the date. "
    "Many legal-aid offices help tenants for free.",
}
HIGH_STAKES_DEFAULT = "This sounds serious, and a lawyer can help you protect your rights."

NOT_UNDERSTOOD = (
    "Sorry, I didn't understand that. I can only help in English for now. Could you describe your legal problem "
    "in a few words, like \"my landlord won't return my deposit\"? You can also ask to talk to a lawyer. "
    "LawHelp.org lists free legal help near you, with resources in other languages."
)

LAWYER_OFFER = "Would you like me to connect you with a lawyer? It takes about a minute to share your details."
LAWYER_BUTTONS = [
    {"title": "Yes, connect me with a lawyer", "payload": "/affirm"},
    {"title": "No thanks", "payload": "/deny"},
]
FEEDBACK_BUTTONS = [
    {"title": "This helped", "payload": "/feedback_helpful"},
    {"title": "This didn't help", "payload": "/feedback_not_helpful"},
    {"title": "Talk to a lawyer", "payload": "/request_lawyer"},
]
RESOURCES_LINKS = [
    {"title": "Find free legal help near you (LawHelp.org)", "url": "https://www.lawhelp.org/"},
    {"title": "Legal aid (USA.gov)", "url": "https://www.usa.gov/legal-aid"},
]


def clarify_question(first: str, second: str | None) -> str:
    if second:
        return f"Just to be sure I point you the right way: is this about {TOPIC_LABELS[first]}, or {TOPIC_LABELS[second]}?"
    return f"Just to be sure I point you the right way: is this about {TOPIC_LABELS[first]}?"
