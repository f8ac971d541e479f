"""Pure decision logic shared by the NLU pipeline and the actions (stdlib only)."""
