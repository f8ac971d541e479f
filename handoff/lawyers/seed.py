"""Demo data: clearly fictional lawyers covering every topic in several states, plus a legal-aid fallback.

    .venv-app/bin/python -m handoff.lawyers.seed      # seeds the configured DATABASE_URL

Idempotent: lawyers are keyed by email, existing ones are left as they are.
"""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..leads.enums import Topic
from ..leads.geo import US_STATES
from .models import Lawyer

logger = logging.getLogger(__name__)

# Four practice groups x three pairs of states: every topic is covered in CA, WA, NY, IL, TX and FL.
_GROUPS: dict[str, list[Topic]] = {
    "Family": [Topic.divorce, Topic.family, Topic.domestic_violence, Topic.estates],
    "Housing": [Topic.housing, Topic.consumer, Topic.benefits, Topic.health],
    "Work": [Topic.employment, Topic.business, Topic.education, Topic.torts],
    "Court": [Topic.crime, Topic.traffic, Topic.courts, Topic.immigration],
}
_STATE_PAIRS: list[tuple[str, str, str]] = [("CA", "WA", "415"), ("NY", "IL", "212"), ("TX", "FL", "512")]
_FIRST_NAMES = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kendall", "Logan",
                "Morgan", "Parker", "Quinn", "Riley", "Sawyer", "Taylor"]
_LANGUAGES = [["English"], ["English", "Spanish"], ["English", "Vietnamese"], ["English", "Spanish", "Portuguese"]]


def demo_lawyers() -> list[dict]:
    """The demo panel as plain dicts (fictional names, example.com emails, 555-01xx phones)."""
    lawyers: list[dict] = []
    number = 0
    for group, topics in _GROUPS.items():
        for states_index, (first_state, second_state, area) in enumerate(_STATE_PAIRS):
            first = _FIRST_NAMES[number % len(_FIRST_NAMES)]
            number += 1
            lawyers.append(
                {
                    "name": f"{first} Fictional",
                    "firm": f"Fictional {group} Law LLP",
                    "email": f"{first.lower()}.{group.lower()}@example.com",
                    "phone": f"+1{area}55501{number:02d}",
                    "practice_areas": [t.value for t in topics],
                    "states": [first_state, second_state],
                    "languages": _LANGUAGES[(number + states_index) % len(_LANGUAGES)],
                    "reduced_fee": number % 2 == 0,
                    "capacity": 25,
                }
            )
    # A second panel lawyer for the busiest topics, so rotation has something to rotate in the demo.
    for first, topics, states in [
        ("Kendall", [Topic.housing, Topic.family, Topic.divorce], ["CA", "NY", "TX"]),
        ("Logan", [Topic.immigration, Topic.employment, Topic.consumer], ["CA", "NY", "TX", "FL"]),
        ("Morgan", [Topic.crime, Topic.domestic_violence, Topic.traffic], ["IL", "WA", "FL"]),
    ]:
        number += 1
        lawyers.append(
            {
                "name": f"{first} Example",
                "firm": "Fictional Firm LLP",
                "email": f"{first.lower()}.example@example.com",
                "phone": f"+120255501{number:02d}",
                "practice_areas": [t.value for t in topics],
                "states": states,
                "languages": ["English", "Spanish"],
                "reduced_fee": True,
                "capacity": 25,
            }
        )
    # The fallback: a (fictional) legal-aid organisation for leads no panel lawyer can take.
    lawyers.append(
        {
            "name": "Intake Desk",
            "firm": "Fictional Community Legal Aid",
            "email": "intake@legalaid.example.com",
            "phone": "+12025550199",
            "practice_areas": [t.value for t in Topic],
            "states": sorted(US_STATES),
            "languages": ["English", "Spanish"],
            "reduced_fee": True,
            "is_legal_aid": True,
            "capacity": 1000,
        }
    )
    return lawyers


def seed_demo_lawyers(session: Session) -> int:
    """Add the demo lawyers that are missing (by email); returns how many were added."""
    existing = set(session.scalars(select(Lawyer.email)))
    added = 0
    for spec in demo_lawyers():
        if spec["email"] in existing:
            continue
        values = {k: v for k, v in spec.items() if k not in ("practice_areas", "states")}
        lawyer = Lawyer(**values)
        lawyer.practice_areas = spec["practice_areas"]
        lawyer.states = spec["states"]
        session.add(lawyer)
        added += 1
    session.commit()
    logger.info("demo lawyers: %d added, %d already there", added, len(existing))
    return added


def main() -> None:  # pragma: no cover - thin CLI
    from ..db import make_engine, make_session_factory
    from ..settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    engine = make_engine(get_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            print(f"added {seed_demo_lawyers(session)} demo lawyers")
    finally:
        engine.dispose()


if __name__ == "__main__":  # pragma: no cover
    main()
