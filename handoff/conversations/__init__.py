"""Read-only access to Rasa's SQL tracker store (the `events` table): transcripts and user messages."""
