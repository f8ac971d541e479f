"""Retraining from the admin: start `scripts/retrain.py` in the background, follow it, roll back.

The retrain script writes its progress to var/retrain/jobs/<job>.json (see scripts/retrain.py);
the page polls that through /admin/inbox/jobs/<job>. The model list comes from the registry
(scripts/model_registry.py, var/models/registry.json). Both scripts are standard-library only,
so they are imported from here for their file formats; the work itself runs in a child process
(training needs the bot environment and takes minutes).
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..settings import REPO_ROOT, VAR_DIR, Settings

logger = logging.getLogger(__name__)

JOB_ID_RE = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
MODEL_RE = re.compile(r"^[0-9A-Za-z_.-]{1,128}$")


class RetrainUnavailable(RuntimeError):
    pass


def _scripts():
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    try:
        from scripts import model_registry, retrain
    except ImportError as exc:  # e.g. an app image without the scripts/ directory
        raise RetrainUnavailable(f"retraining is not available in this installation ({exc})") from exc
    return retrain, model_registry


@dataclass
class RetrainService:
    state_dir: Path = VAR_DIR / "retrain"
    models_dir: Path = VAR_DIR / "models"
    # The command that runs a retrain; "--job-id <id> --by <email>" is appended.
    command: list[str] = field(default_factory=lambda: [sys.executable, str(REPO_ROOT / "scripts" / "retrain.py")])
    rollback_command: list[str] = field(
        default_factory=lambda: [sys.executable, str(REPO_ROOT / "scripts" / "model_registry.py")]
    )
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> "RetrainService":
        env = {"DATABASE_URL": settings.database_url, "RASA_URL": settings.rasa_url}
        if settings.rasa_token:
            env["RASA_TOKEN"] = settings.rasa_token
        return cls(env=env)

    def _env(self, by: str) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(REPO_ROOT), "RETRAIN_ACTOR": by, **self.env}

    # --- retraining jobs
    def running(self) -> bool:
        retrain, _ = _scripts()
        return retrain.is_running(self.state_dir)

    def start(self, *, by: str) -> str:
        """Queue a retrain and start it in the background. Returns the job id."""
        retrain, _ = _scripts()
        if retrain.is_running(self.state_dir):
            raise RuntimeError("A retrain is already running.")
        job = retrain.Job(self.state_dir, by=by)  # "queued", visible to the page at once
        command = [*self.command, "--job-id", job.job_id, "--by", by]
        with open(job.log_path, "ab") as log:
            subprocess.Popen(  # noqa: S603 - fixed command, no shell
                command, cwd=REPO_ROOT, env=self._env(by), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        logger.info("retrain job %s started by %s", job.job_id, by)
        return job.job_id

    def job(self, job_id: str | None = None) -> dict | None:
        if job_id is not None and not JOB_ID_RE.match(job_id):
            return None
        retrain, _ = _scripts()
        return retrain.read_job(self.state_dir, job_id)

    def jobs(self, limit: int = 10) -> list[dict]:
        retrain, _ = _scripts()
        directory = self.state_dir / "jobs"
        if not directory.is_dir():
            return []
        ids = sorted((p.stem for p in directory.glob("*.json")), reverse=True)[:limit]
        return [job for job in (retrain.read_job(self.state_dir, i) for i in ids) if job]

    def log_tail(self, job_id: str, lines: int = 40) -> list[str]:
        if not JOB_ID_RE.match(job_id):
            return []
        path = self.state_dir / "jobs" / f"{job_id}.log"
        if not path.exists():
            return []
        with path.open(errors="replace") as handle:
            tail = deque(handle, maxlen=lines)
        # Progress bars redraw with carriage returns: keep the last state of each line.
        return [line.rstrip("\n").split("\r")[-1][:400] for line in tail]

    # --- the model registry
    def registry(self) -> dict:
        _, model_registry = _scripts()
        registry = model_registry.Registry(self.models_dir)
        data = registry.load()
        current = registry.current_model()
        models = []
        for entry in data["models"]:
            models.append({**entry, "is_current": entry["model"] == current,
                           "exists": (self.models_dir / entry["model"]).exists()})
        models.sort(key=lambda e: e.get("trained_at") or e.get("registered_at") or "", reverse=True)
        return {"current": current, "models": models, "events": list(reversed(data["events"]))[:20],
                "rollback_target": registry.rollback_target()}

    def rollback(self, *, model: str | None, by: str, timeout: float = 900) -> tuple[bool, str]:
        """Run `model_registry.py rollback [MODEL]` (hot-loads into Rasa). Returns (ok, output)."""
        if model is not None and not MODEL_RE.match(model):
            return False, "Unknown model."
        command = [*self.rollback_command, "--models-dir", str(self.models_dir), "rollback", "--by", by]
        if model:
            command.append(model)
        try:
            completed = subprocess.run(  # noqa: S603
                command, cwd=REPO_ROOT, env=self._env(by), capture_output=True, text=True, timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return False, "The rollback did not finish in time; check `scripts/model_registry.py list`."
        output = (completed.stdout + completed.stderr).strip()
        return completed.returncode == 0, output[-2000:]
