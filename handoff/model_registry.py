"""Imports every `handoff.<domain>.models` module so Base.metadata knows all tables.

Alembic's env.py and the schema test use it; a new domain's models.py is picked up without
editing either.
"""
from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy import MetaData

import handoff

from .db import Base


def load_models() -> MetaData:
    for module in pkgutil.iter_modules(handoff.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"handoff.{module.name}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"handoff.{module.name}.models":
                    raise
    return Base.metadata
