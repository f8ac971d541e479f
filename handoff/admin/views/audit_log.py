"""The audit log (admins only)."""
from __future__ import annotations

from fastapi import APIRouter, Request

from .. import audit
from ..deps import AdminUser, render
from . import forms

router = APIRouter(prefix="/admin/audit", include_in_schema=False)
PER_PAGE = 50
TARGET_TYPES = ["lead", "leads", "conversation", "conversations", "lawyer", "user"]


@router.get("")
def audit_log(request: Request, user: AdminUser,
              session: forms.DbSession):
    params = request.query_params
    actions = audit.actions(session)
    action = forms.choice(params, "action", actions)
    actor = forms.text(params, "actor", max_length=254)
    target_type = forms.choice(params, "target_type", TARGET_TYPES)
    target_id = forms.text(params, "target_id", max_length=128)
    day_from, day_to = forms.day(params, "from"), forms.day(params, "to")
    page = forms.integer(params, "page", maximum=100_000) or 1
    result = audit.list_entries(session, action=action, actor=actor or None, target_type=target_type,
                                target_id=target_id or None, date_from=day_from, date_to=day_to, page=page,
                                per_page=PER_PAGE)
    kept = {"action": action, "actor": actor, "target_type": target_type, "target_id": target_id,
            "from": day_from.isoformat() if day_from else None, "to": day_to.isoformat() if day_to else None}
    context = {
        "title": "Audit log",
        "entries": result.items,
        "total": result.total,
        "page": page,
        "pages": forms.pages(result.total, PER_PAGE),
        "actions": actions,
        "target_types": TARGET_TYPES,
        "f": kept,
        "filtered": any(kept.values()),
        "page_url": lambda n: "?" + forms.query_string(kept, page=n if n > 1 else None),
    }
    return render(request, "audit/list.html", context)
