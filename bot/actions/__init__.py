"""Custom actions of the LegalAid bot, served by the rasa-sdk action server.

`rasa run actions --actions bot.actions` imports this package, which registers every action.
"""
from bot.actions import feedback, lead_form, triage  # noqa: F401  (registration by import)
