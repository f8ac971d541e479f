"""The self-help knowledge base: schema, loading and validation (stdlib + PyYAML only)."""
