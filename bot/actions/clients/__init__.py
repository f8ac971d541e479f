"""Clients the action server uses to talk to other services (the referral API)."""
