"""The admin's own pages. Each module has a `router`; `routers` is the list install_admin includes."""
from __future__ import annotations

from . import account, audit_log, conversations, lawyers, leads, settings_page, users

routers = [
    account.router,
    leads.router,
    conversations.router,
    lawyers.router,
    users.router,
    audit_log.router,
    settings_page.router,
]
