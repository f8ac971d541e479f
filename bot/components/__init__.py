"""Custom Rasa graph components, one per file (see each module's docstring)."""
