"""LegalAid Chat web app: chat API in front of Rasa, lawyer-referral service and admin panel."""
