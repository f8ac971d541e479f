"""Safety rules that hold even when the model is wrong (stdlib only)."""
