"""Models and retraining in the admin (/admin/inbox/models): background job with visible progress,
registry, rollback; admin-only actions. The retrain command is tests/nlu_inbox/fake_retrain.py."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from admin_helpers import csrf_from
from sqlalchemy import select

from handoff.admin.models import AuditEntry

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from scripts.model_registry import Registry  # noqa: E402


def token(client) -> str:
    return csrf_from(client.get("/admin/inbox/models").text)


def wait_for_job(client, job_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/admin/inbox/jobs/{job_id}").json()
        if job["finished"]:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_models_page_for_reviewers_has_no_admin_buttons(reviewer_client):
    page = reviewer_client.get("/admin/inbox/models")
    assert page.status_code == 200
    assert "Model registry" in page.text
    assert "Only admins can start a retrain" in page.text
    assert 'action="/admin/inbox/retrain"' not in page.text


def test_retrain_button_runs_the_job_in_the_background_with_progress(admin_client, session, retrain_service):
    response = admin_client.post("/admin/inbox/retrain", data={"csrf_token": token(admin_client)})
    assert response.status_code == 303
    job_id = response.headers["location"].split("job=")[1]
    page = admin_client.get(response.headers["location"]).text
    assert f'data-job-id="{job_id}"' in page and "Retraining started" in page
    assert '<script src="/admin/inbox/static/models.js" defer></script>' in page

    job = wait_for_job(admin_client, job_id)
    assert job["state"] == "promoted"
    assert job["by"] == "admin@staff.example.org"
    assert [(s["name"], s["state"]) for s in job["stages"]] == [
        ("export", "done"), ("train", "done"), ("evaluate", "done"), ("gate", "done"), ("promote", "done")]
    assert any("promoted" in line for line in job["log_tail"])
    # The registry (and current.json) now have the model; the page lists it as current.
    current = Registry(retrain_service.models_dir).current_model()
    assert current and current.startswith("model-fake")
    page = admin_client.get(f"/admin/inbox/models?job={job_id}").text
    assert current in page and ">current<" in page
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "nlu.retrain")).all()
    assert [a.target_id for a in audit] == [job_id]


def test_only_one_retrain_at_a_time(admin_client, retrain_service):
    import fcntl

    retrain_service.state_dir.mkdir(parents=True, exist_ok=True)
    with open(retrain_service.state_dir / "retrain.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a running scripts/retrain.py holds it
        page = admin_client.get("/admin/inbox/models").text
        assert "Retraining…" in page
        response = admin_client.post("/admin/inbox/retrain", data={"csrf_token": token(admin_client)})
        assert response.headers["location"] == "/admin/inbox/models"
        assert "A retrain is already running." in admin_client.get("/admin/inbox/models").text
    assert not (retrain_service.state_dir / "jobs").exists()


def test_reviewers_cannot_retrain_or_roll_back(reviewer_client, retrain_service):
    csrf = token(reviewer_client)
    assert reviewer_client.post("/admin/inbox/retrain", data={"csrf_token": csrf}).status_code == 403
    assert reviewer_client.post("/admin/inbox/rollback", data={"csrf_token": csrf}).status_code == 403
    assert not (retrain_service.state_dir / "jobs").exists()


def test_retrain_and_rollback_need_the_csrf_token(admin_client, anon, retrain_service):
    assert admin_client.post("/admin/inbox/retrain").status_code == 403
    assert admin_client.post("/admin/inbox/retrain", data={"csrf_token": "forged"}).status_code == 403
    assert admin_client.post("/admin/inbox/rollback", data={"model": "x"}).status_code == 403
    assert anon.post("/admin/inbox/retrain").status_code == 401
    assert not (retrain_service.state_dir / "jobs").exists()


def test_job_status_needs_sign_in_and_a_known_job(anon, reviewer_client):
    assert anon.get("/admin/inbox/jobs/20260101-000000-abcdef").status_code == 303
    assert reviewer_client.get("/admin/inbox/jobs/20260101-000000-abcdef").status_code == 404
    assert reviewer_client.get("/admin/inbox/jobs/..%2F..%2Fsecrets").status_code == 404


def _two_models(models_dir: Path) -> Registry:
    registry = Registry(models_dir, from_logs_dir=models_dir / "from_logs")
    for name, promoted_at in (("model-aaaa", "2026-01-01T00:00:00+00:00"), ("model-bbbb", "2026-02-01T00:00:00+00:00")):
        models_dir.mkdir(parents=True, exist_ok=True)
        (models_dir / f"{name}.tar.gz").write_bytes(b"x")
        registry.upsert({"model": name, "trained_at": promoted_at, "metrics": {"macro_f1": 0.8, "accuracy": 0.8}})
        registry.promote(name, rasa=None)
        with registry.locked() as data:
            next(e for e in data["models"] if e["model"] == f"{name}.tar.gz")["promoted_at"] = promoted_at
    return registry


def test_rollback_from_the_admin(admin_client, session, retrain_service):
    registry = _two_models(retrain_service.models_dir)
    assert registry.current_model() == "model-bbbb.tar.gz"
    page = admin_client.get("/admin/inbox/models").text
    assert "Roll back to the previous model (model-aaaa.tar.gz)" in page
    response = admin_client.post("/admin/inbox/rollback", data={"csrf_token": token(admin_client)})
    assert response.status_code == 303
    assert registry.current_model() == "model-aaaa.tar.gz"
    page = admin_client.get("/admin/inbox/models").text
    assert "rollback: current model is now model-aaaa.tar.gz" in page
    assert "Rasa not running" in page  # nothing listens at the test's RASA_URL
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "nlu.rollback")).all()
    assert len(audit) == 1


def test_rollback_to_a_named_model_and_errors(admin_client, retrain_service):
    registry = _two_models(retrain_service.models_dir)
    csrf = token(admin_client)
    admin_client.post("/admin/inbox/rollback", data={"csrf_token": csrf, "model": "model-bbbb.tar.gz"})
    assert "Rollback failed: error: model-bbbb.tar.gz is already the current model" in admin_client.get(
        "/admin/inbox/models").text
    admin_client.post("/admin/inbox/rollback", data={"csrf_token": csrf, "model": "../../etc/passwd"})
    assert "Rollback failed: Unknown model." in admin_client.get("/admin/inbox/models").text
    assert registry.current_model() == "model-bbbb.tar.gz"


@pytest.mark.parametrize("name", ["inbox.js", "models.js", "inbox.css"])
def test_static_files(anon, name):
    response = anon.get(f"/admin/inbox/static/{name}")
    assert response.status_code == 200 and len(response.text) > 100
