"""Custom actions of the LegalAid bot, served by the rasa-sdk action server.

`python -m rasa_sdk --actions bot.actions` imports this package, which registers every action.
"""
import os

from bot.actions import feedback, lead_form, triage  # noqa: F401  (registration by import)

if os.environ.get("LEAD_OUTBOX_PATH"):
    # A deployed action server (the stack and compose set the outbox path): deliver leads that
    # were queued before a restart, without waiting for the next submission.
    from bot.actions.clients.referral_api import start_retry_loop

    start_retry_loop()
