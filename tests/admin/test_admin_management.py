"""Admin-only pages: lawyers, staff users, the audit log, settings; and the conversations pages."""
from __future__ import annotations

import time

import pytest
from admin_helpers import PASSWORD, add_lawyer, add_lead, add_user, csrf_from, housing_conversation, login, signed_in_token
from fastapi.testclient import TestClient

from handoff.admin.models import AuditEntry
from handoff.auth.models import StaffUser
from handoff.auth.passwords import verify_password
from handoff.conversations import repository
from handoff.lawyers.models import Lawyer


def _audit(session, action: str) -> list[AuditEntry]:
    return list(session.query(AuditEntry).filter(AuditEntry.action == action).order_by(AuditEntry.id))


LAWYER_FORM = {
    "name": "Quinn Fictional",
    "firm": "Fictional Tenants LLP",
    "email": "quinn@example.com",
    "phone": "(415) 555-0101",
    "practice_areas": ["housing", "consumer"],
    "states": "ca, wa",
    "languages": "English, Spanish",
    "capacity": "12",
    "reduced_fee": "on",
    "active": "on",
}


# --- lawyers ----------------------------------------------------------------------------------------

def test_create_lawyer(admin_client, admin_user, session):
    token = csrf_from(admin_client.get("/admin/lawyers/new").text)
    response = admin_client.post("/admin/lawyers/new", data={**LAWYER_FORM, "csrf_token": token})
    assert response.status_code == 303, response.text
    lawyer = session.query(Lawyer).filter_by(email="quinn@example.com").one()
    assert lawyer.practice_areas == ["consumer", "housing"] and lawyer.states == ["CA", "WA"]
    assert lawyer.phone == "+14155550101" and lawyer.capacity == 12 and lawyer.reduced_fee and lawyer.active
    assert response.headers["location"] == f"/admin/lawyers/{lawyer.id}"
    entry = _audit(session, "lawyer.create")[-1]
    assert entry.actor_id == admin_user.id and entry.target_id == str(lawyer.id)
    page = admin_client.get(f"/admin/lawyers/{lawyer.id}")
    assert "Quinn Fictional" in page.text and "CA, WA" in page.text


def test_create_lawyer_shows_field_errors(admin_client, session):
    token = csrf_from(admin_client.get("/admin/lawyers/new").text)
    bad = {**LAWYER_FORM, "email": "not-an-email", "states": "XX", "practice_areas": [], "csrf_token": token}
    response = admin_client.post("/admin/lawyers/new", data=bad)
    assert response.status_code == 422
    assert response.text.count('class="field-error"') >= 3
    assert 'value="Quinn Fictional"' in response.text  # what was typed is kept
    assert session.query(Lawyer).filter_by(name="Quinn Fictional").count() == 0


def test_duplicate_lawyer_email_is_refused(admin_client, session):
    existing = add_lawyer(session)
    token = csrf_from(admin_client.get("/admin/lawyers/new").text)
    response = admin_client.post("/admin/lawyers/new", data={**LAWYER_FORM, "email": existing.email, "csrf_token": token})
    assert response.status_code == 409 and "already exists" in response.text


def test_edit_lawyer_records_changed_fields(admin_client, session):
    lawyer = add_lawyer(session, topics=("housing",), states=("NY",))
    page = admin_client.get(f"/admin/lawyers/{lawyer.id}/edit")
    assert page.status_code == 200 and 'value="NY"' in page.text
    form = {"name": lawyer.name, "firm": "New Firm LLP", "email": lawyer.email, "phone": "", "states": "NY, NJ",
            "practice_areas": ["housing"], "languages": "English", "capacity": "10", "active": "on",
            "csrf_token": csrf_from(page.text)}
    response = admin_client.post(f"/admin/lawyers/{lawyer.id}/edit", data=form)
    assert response.status_code == 303
    session.expire_all()
    lawyer = session.get(Lawyer, lawyer.id)
    assert lawyer.firm == "New Firm LLP" and lawyer.states == ["NJ", "NY"] and lawyer.phone is None
    assert _audit(session, "lawyer.update")[-1].detail["changed"] == ["firm", "phone", "states"]


def test_deactivate_and_activate_lawyer(admin_client, session):
    lawyer = add_lawyer(session)
    lead = add_lead(session, lawyer=lawyer)
    page = admin_client.get(f"/admin/lawyers/{lawyer.id}")
    assert f'href="/admin/leads/{lead.id}"' in page.text  # open leads shown
    token = csrf_from(page.text)
    assert admin_client.post(f"/admin/lawyers/{lawyer.id}/deactivate", data={"csrf_token": token}).status_code == 303
    session.expire_all()
    assert session.get(Lawyer, lawyer.id).active is False
    assert "Inactive" in admin_client.get("/admin/lawyers?status=inactive").text
    admin_client.post(f"/admin/lawyers/{lawyer.id}/activate", data={"csrf_token": token})
    session.expire_all()
    assert session.get(Lawyer, lawyer.id).active is True
    assert [e.action for e in session.query(AuditEntry).filter_by(target_type="lawyer", target_id=str(lawyer.id))] == [
        "lawyer.deactivate", "lawyer.activate"]


def test_lawyer_list_filters(admin_client, session):
    add_lawyer(session, name="Housing Only", topics=("housing",), states=("CA",))
    add_lawyer(session, name="Traffic Only", topics=("traffic",), states=("TX",))
    page = admin_client.get("/admin/lawyers?topic=traffic")
    assert "Traffic Only" in page.text and "Housing Only" not in page.text
    page = admin_client.get("/admin/lawyers?state=CA")
    assert "Housing Only" in page.text and "Traffic Only" not in page.text


# --- users ------------------------------------------------------------------------------------------

def test_create_user_and_sign_in(app, admin_client, session):
    token = csrf_from(admin_client.get("/admin/users/new").text)
    response = admin_client.post("/admin/users/new", data={"email": "New.Reviewer@Staff.example.org", "role": "reviewer",
                                                           "password": "a brand new passphrase", "csrf_token": token})
    assert response.status_code == 303
    user = session.query(StaffUser).filter_by(email="new.reviewer@staff.example.org").one()
    assert user.role == "reviewer" and user.password_hash.startswith("$argon2id$")
    assert _audit(session, "user.create")[-1].detail == {"role": "reviewer"}
    with TestClient(app, follow_redirects=False) as client:
        assert login(client, "new.reviewer@staff.example.org", "a brand new passphrase").status_code == 303


@pytest.mark.parametrize(("email", "password", "message"), [
    ("bad-email", "a brand new passphrase", "valid email"),
    ("ok@staff.example.org", "short", "at least 12"),
    ("admin@staff.example.org", "a brand new passphrase", "already exists"),
])
def test_create_user_errors(admin_client, email, password, message):
    token = csrf_from(admin_client.get("/admin/users/new").text)
    response = admin_client.post("/admin/users/new", data={"email": email, "role": "admin", "password": password,
                                                           "csrf_token": token})
    assert response.status_code in (409, 422)
    assert message in response.text


def test_change_role_and_deactivate_end_sessions(app, admin_client, session):
    other = add_user(session, role="reviewer")
    with TestClient(app, follow_redirects=False) as client:
        login(client, other.email)
        assert client.get("/admin/leads").status_code == 200
        token = csrf_from(admin_client.get(f"/admin/users/{other.id}").text)
        admin_client.post(f"/admin/users/{other.id}", data={"role": "admin", "active": "on", "csrf_token": token})
        session.expire_all()
        assert session.get(StaffUser, other.id).role == "admin"
        assert client.get("/admin/leads").status_code == 303  # signed out by the change
    admin_client.post(f"/admin/users/{other.id}", data={"role": "admin", "csrf_token": token})  # active unticked
    session.expire_all()
    assert session.get(StaffUser, other.id).active is False
    assert [e.detail for e in _audit(session, "user.update")] == [{"role": ["reviewer", "admin"]}, {"active": [True, False]}]


def test_admin_cannot_demote_or_deactivate_themselves(admin_client, admin_user, session):
    token = csrf_from(admin_client.get(f"/admin/users/{admin_user.id}").text)
    admin_client.post(f"/admin/users/{admin_user.id}", data={"role": "reviewer", "active": "on", "csrf_token": token})
    session.expire_all()
    assert session.get(StaffUser, admin_user.id).role == "admin"
    assert "cannot change your own role" in admin_client.get(f"/admin/users/{admin_user.id}").text


def test_last_active_admin_stays(admin_client, admin_user, session):
    from handoff.auth.service import UserChange, update_user
    from handoff.service_errors import Conflict

    other_admin = add_user(session, role="admin")
    # Two admins: demoting one is fine; the remaining one cannot be demoted by anyone.
    update_user(session, user=other_admin, by=admin_user, change=UserChange(role="reviewer"))
    with pytest.raises(Conflict, match="last active admin"):
        update_user(session, user=admin_user, by=other_admin, change=UserChange(active=False))


def test_reset_password(app, admin_client, session):
    other = add_user(session, role="reviewer")
    token = csrf_from(admin_client.get(f"/admin/users/{other.id}").text)
    response = admin_client.post(f"/admin/users/{other.id}/password", data={"password": "short", "csrf_token": token})
    assert response.status_code == 422 and "at least 12" in response.text
    admin_client.post(f"/admin/users/{other.id}/password", data={"password": "another long passphrase", "csrf_token": token})
    session.expire_all()
    assert verify_password(session.get(StaffUser, other.id).password_hash, "another long passphrase")
    assert _audit(session, "user.password_reset")[-1].target_id == str(other.id)


def test_change_own_password(reviewer_client, reviewer_user, session):
    token = signed_in_token(reviewer_client)
    wrong = reviewer_client.post("/admin/account", data={"current_password": "nope", "new_password": "x" * 14,
                                                         "confirm_password": "x" * 14, "csrf_token": token})
    assert wrong.status_code == 422 and "not your current password" in wrong.text
    ok = reviewer_client.post("/admin/account", data={"current_password": PASSWORD, "new_password": "my new passphrase",
                                                      "confirm_password": "my new passphrase", "csrf_token": token})
    assert ok.status_code == 303
    assert reviewer_client.get("/admin/leads").status_code == 200  # this session continues
    session.expire_all()
    assert verify_password(session.get(StaffUser, reviewer_user.id).password_hash, "my new passphrase")


# --- audit log, settings, conversations ---------------------------------------------------------------

def test_audit_log_lists_and_filters(admin_client, session):
    lead = add_lead(session)
    token = signed_in_token(admin_client)
    admin_client.post(f"/admin/leads/{lead.id}/status", data={"status": "closed", "csrf_token": token})
    page = admin_client.get("/admin/audit")
    assert "lead.status" in page.text and "auth.login" in page.text and f"lead #{lead.id}" in page.text
    filtered = admin_client.get("/admin/audit?action=lead.status")
    assert "auth.login</code>" not in filtered.text and "lead.status</code>" in filtered.text


def test_settings_page_and_purge(admin_client, admin_user, session, tracker):
    old = time.time() - 400 * 86400
    housing_conversation(tracker, "conv-old-no-lead", start=old)
    housing_conversation(tracker, "conv-old-with-lead", start=old)
    housing_conversation(tracker, "conv-recent")
    add_lead(session, conversation_id="conv-old-with-lead")
    page = admin_client.get("/admin/settings")
    assert page.status_code == 200 and "180 days" in page.text and "<strong>1</strong>" in page.text
    assert "test-secret" not in page.text  # no secrets shown
    response = admin_client.post("/admin/settings/purge-transcripts", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 303
    assert repository.transcript(tracker, "conv-old-no-lead") == []
    assert repository.transcript(tracker, "conv-old-with-lead") and repository.transcript(tracker, "conv-recent")
    entry = _audit(session, "transcripts.purge")[-1]
    assert entry.actor_id == admin_user.id and entry.detail["conversations"] == 1 and entry.detail["retention_days"] == 180


def test_conversations_list_and_detail(reviewer_client, session, tracker):
    housing_conversation(tracker, "conv-list-1")
    housing_conversation(tracker, "conv-list-2", first_message="Can my boss fire me for being pregnant?")
    lead = add_lead(session, conversation_id="conv-list-2")
    page = reviewer_client.get("/admin/conversations")
    assert "conv-list-1" in page.text and "conv-list-2" in page.text
    assert f'href="/admin/leads/{lead.id}"' in page.text
    assert "conv-list-1" not in reviewer_client.get("/admin/conversations?q=list-2").text
    detail = reviewer_client.get("/admin/conversations/conv-list-2")
    assert "Can my boss fire me for being pregnant?" in detail.text
    assert "91%" in detail.text and "Answer" in detail.text  # prediction and decision per message
    assert 'class="chip conf-high" title="Confidence">91%' in detail.text  # coloured by the bot's thresholds
    assert "or more</span>: confident enough to answer" in detail.text
    assert f"Lead #{lead.id}" in detail.text
    assert reviewer_client.get("/admin/conversations/does-not-exist").status_code == 404
