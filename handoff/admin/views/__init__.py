"""The admin's own pages. Each module has a `router`; `routers` is the list install_admin includes."""
from __future__ import annotations

from . import account

routers = [
    account.router,
]
