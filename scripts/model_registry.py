"""Model registry: every trained model, its data hash, metrics, date and promotion; promote, roll back, hot-load.

The registry is `var/models/registry.json`. `var/models/current.json` still names the model the
Rasa server loads at start (scripts/stack.py); promoting or rolling back rewrites it and, when
Rasa is running, also swaps the model in the running server without a restart through Rasa's
HTTP API (`PUT /model` with {"model_file": ...} and the RASA_TOKEN; the old model keeps
answering until the new one is loaded).

    python scripts/model_registry.py list [--json]
    python scripts/model_registry.py current
    python scripts/model_registry.py rollback [MODEL] [--no-reload]   # default: the model promoted before the current one
    python scripts/model_registry.py promote MODEL [--no-reload]      # by hand, no gate (prefer `make retrain`)
    python scripts/model_registry.py reload                           # hot-load current.json's model into Rasa
    python scripts/model_registry.py register-current                 # adopt a model trained by `make model`

Rasa is found at RASA_URL (default http://127.0.0.1:5005) with RASA_TOKEN from the environment
or var/secrets.env. If Rasa is not running, only current.json changes (it loads that at start).
If Rasa is running but refuses the model, nothing changes and the command fails.

Standard library only and Python 3.10 compatible: it runs in the app and the bot environment.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]

REPO = Path(__file__).resolve().parent.parent
VAR = REPO / "var"
MODELS_DIR = VAR / "models"
FROM_LOGS_DIR = REPO / "nlu_data" / "from_logs"
REGISTRY_VERSION = 1


class RegistryError(RuntimeError):
    pass


class PromotionError(RegistryError):
    pass


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_hash(paths: List[Path], *, root: Optional[Path] = None) -> str:
    """Hash of the files under `paths` (names relative to `root` and contents), order-independent of the OS."""
    digest = hashlib.sha256()
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []
        for path in files:
            if "__pycache__" in path.parts:
                continue
            name = str(path.relative_to(root)) if root and path.is_relative_to(root) else path.name
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- Rasa's HTTP API ----------------------------------------------------------------------------

def read_secrets(path: Path) -> Dict[str, str]:
    values: Dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values


@dataclass
class RasaServer:
    """The running Rasa server (`rasa run --enable-api --auth-token ...`)."""

    url: str = "http://127.0.0.1:5005"
    token: str = ""
    timeout: float = 600.0  # loading a model with the sentence encoder takes a while

    @classmethod
    def from_env(cls, var_dir: Path = VAR) -> "RasaServer":
        url = os.environ.get("RASA_URL") or "http://127.0.0.1:5005"
        token = os.environ.get("RASA_TOKEN") or read_secrets(var_dir / "secrets.env").get("RASA_TOKEN", "")
        return cls(url=url.rstrip("/"), token=token)

    def _url(self, path: str) -> str:
        query = "?" + urllib.parse.urlencode({"token": self.token}) if self.token else ""
        return f"{self.url}{path}{query}"

    def status(self) -> Optional[Dict[str, Any]]:
        """Rasa's /status, or None when nothing answers at the URL (Rasa not running)."""
        request = urllib.request.Request(self._url("/status"), method="GET")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise PromotionError(f"Rasa at {self.url} refused the token (HTTP {exc.code}): check RASA_TOKEN") from None
            if exc.code == 409:  # running, but no model loaded yet
                return {}
            raise PromotionError(f"Rasa at {self.url} answered /status with HTTP {exc.code}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return None

    def load_model(self, model_path: Path) -> Dict[str, Any]:
        """Replace the model of the running server in-process (PUT /model). Returns the new /status."""
        body = json.dumps({"model_file": str(Path(model_path).resolve())}).encode()
        request = urllib.request.Request(
            self._url("/model"), data=body, method="PUT", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise PromotionError(f"Rasa refused to load {Path(model_path).name} (HTTP {exc.code}): {detail}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            raise PromotionError(f"Rasa at {self.url} did not load the model: {exc}") from None
        status = self.status() or {}
        loaded = Path(str(status.get("model_file") or "")).name
        if loaded and loaded != Path(model_path).name:
            raise PromotionError(f"Rasa reports model {loaded} after loading {Path(model_path).name}")
        return status


# --- the registry file ------------------------------------------------------------------------------

class Registry:
    """`registry.json` in a models directory: {"version", "models": [entry...], "events": [...]}."""

    def __init__(self, models_dir: Path = MODELS_DIR, *, from_logs_dir: Path = FROM_LOGS_DIR):
        self.models_dir = Path(models_dir)
        self.path = self.models_dir / "registry.json"
        self.current_path = self.models_dir / "current.json"
        self.snapshots_dir = self.models_dir / "snapshots"
        self.from_logs_dir = Path(from_logs_dir)

    # reading and writing
    def load(self) -> Dict[str, Any]:
        if not self.path.exists():
            return {"version": REGISTRY_VERSION, "models": [], "events": []}
        data = json.loads(self.path.read_text())
        data.setdefault("models", [])
        data.setdefault("events", [])
        return data

    def _save(self, data: Dict[str, Any]) -> None:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_json(self.path, data)

    @contextlib.contextmanager
    def locked(self) -> Iterator[Dict[str, Any]]:
        """Read-modify-write under an exclusive lock; saved when the block ends without an error."""
        self.models_dir.mkdir(parents=True, exist_ok=True)
        with open(self.models_dir / ".registry.lock", "w") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            data = self.load()
            yield data
            self._save(data)

    # queries
    def entries(self) -> List[Dict[str, Any]]:
        return self.load()["models"]

    def get(self, model: str) -> Optional[Dict[str, Any]]:
        name = model_file_name(model)
        return next((e for e in self.entries() if e["model"] == name), None)

    def current(self) -> Optional[Dict[str, Any]]:
        if not self.current_path.exists():
            return None
        return json.loads(self.current_path.read_text())

    def current_model(self) -> Optional[str]:
        current = self.current()
        return current.get("model") if current else None

    def model_path(self, model: str) -> Path:
        return self.models_dir / model_file_name(model)

    # changes
    def upsert(self, entry: Dict[str, Any]) -> Dict[str, Any]:
        with self.locked() as data:
            return _upsert(data, entry)

    def register_current(self, *, source: str = "make model") -> Optional[Dict[str, Any]]:
        """Make sure the model named in current.json has an entry (models trained by `make model`)."""
        current = self.current()
        if not current or not (self.models_dir / current["model"]).exists():
            return None
        with self.locked() as data:
            existing = next((e for e in data["models"] if e["model"] == current["model"]), None)
            if existing is not None:
                if not existing.get("promoted"):
                    existing["promoted"] = True
                    existing["promoted_at"] = existing.get("promoted_at") or _iso_from_ts(current.get("trained_at"))
                return existing
            return _upsert(data, {
                "model": current["model"],
                "inputs_hash": current.get("hash"),
                "trained_at": _iso_from_ts(current.get("trained_at")),
                "source": source,
                "promoted": True,
                "promoted_at": _iso_from_ts(current.get("trained_at")),
            })

    def snapshot_training_data(self, model: str, from_logs_dir: Optional[Path] = None) -> Optional[Path]:
        """Keep a copy of the exported examples a model was trained with (restored on rollback)."""
        source = Path(from_logs_dir or self.from_logs_dir)
        target = self.snapshots_dir / model_stem(model) / "from_logs"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        if source.is_dir():
            for path in sorted(source.glob("*.yml")):
                shutil.copy2(path, target / path.name)
        return target

    def restore_training_data(self, model: str) -> Optional[str]:
        """Put back the from_logs examples the model was trained with. Returns a note, or None if unknown."""
        snapshot = self.snapshots_dir / model_stem(model) / "from_logs"
        if not snapshot.is_dir():
            return None
        replace_dir_contents(self.from_logs_dir, snapshot)
        count = len(list(snapshot.glob("*.yml")))
        return f"restored {self.from_logs_dir.name}/ as it was for {model} ({count} file(s))"

    def promote(
        self,
        model: str,
        *,
        action: str = "promote",
        by: str = "cli",
        rasa: Optional[RasaServer] = None,
        reason: str = "",
        restore_data: bool = False,
    ) -> Dict[str, Any]:
        """Make `model` the current model: hot-load into Rasa (if running), then current.json and registry.

        If Rasa is running and does not load the model, nothing is changed (PromotionError).
        """
        name = model_file_name(model)
        path = self.model_path(name)
        if not path.exists():
            raise RegistryError(f"model file not found: {path}")
        previous = self.current_model()
        reloaded: Optional[str] = None
        if rasa is not None:
            status = rasa.status()
            if status is None:
                reloaded = f"Rasa not running at {rasa.url}: it loads {name} at its next start"
            else:
                rasa.load_model(path)
                reloaded = f"Rasa at {rasa.url} now serves {name} (hot-loaded, no restart)"
        notes = [reloaded] if reloaded else []
        if restore_data:
            note = self.restore_training_data(name)
            notes.append(note or f"no training-data snapshot for {name}: {self.from_logs_dir.name}/ left as it is")
        at = now_iso()
        with self.locked() as data:
            entry = next((e for e in data["models"] if e["model"] == name), None)
            if entry is None:
                entry = _upsert(data, {"model": name, "inputs_hash": model_hash(name), "source": "unknown"})
            entry["promoted"] = True
            entry["promoted_at"] = entry.get("promoted_at") or at
            entry["last_current_at"] = at
            if action == "rollback" and previous and previous != name:
                prev = next((e for e in data["models"] if e["model"] == previous), None)
                if prev is not None:
                    prev["rolled_back_at"] = at
            data["events"].append({"at": at, "action": action, "model": name, "previous": previous, "by": by,
                                   "reason": reason})
            current = {
                "hash": entry.get("inputs_hash") or model_hash(name),
                "model": name,
                "trained_at": _ts_from_iso(entry.get("trained_at")),
                "promoted_at": at,
                "source": action,
            }
            if action == "rollback":
                # A rollback is a deliberate choice: `make model` must not replace it with a newer model.
                current["pinned"] = True
            atomic_write_json(self.current_path, current)
        return {"model": name, "previous": previous, "notes": notes}

    def rollback_target(self) -> Optional[str]:
        """The model promoted most recently before the current one (whose file still exists)."""
        data = self.load()
        current = self.current_model()
        current_entry = next((e for e in data["models"] if e["model"] == current), None)
        cutoff = (current_entry or {}).get("promoted_at")
        candidates = [
            e for e in data["models"]
            if e.get("promoted") and e["model"] != current and (self.models_dir / e["model"]).exists()
            and (cutoff is None or (e.get("promoted_at") or "") < cutoff)
        ]
        if not candidates and cutoff is not None:  # the current model is the oldest: take any other promoted one
            candidates = [e for e in data["models"] if e.get("promoted") and e["model"] != current
                          and (self.models_dir / e["model"]).exists()]
        candidates.sort(key=lambda e: e.get("promoted_at") or "")
        return candidates[-1]["model"] if candidates else None

    def rollback(self, model: Optional[str] = None, *, by: str = "cli", rasa: Optional[RasaServer] = None) -> Dict[str, Any]:
        self.register_current()
        target = model_file_name(model) if model else self.rollback_target()
        if target is None:
            raise RegistryError("no earlier promoted model to roll back to (see `model_registry.py list`)")
        if target == self.current_model():
            raise RegistryError(f"{target} is already the current model")
        if self.get(target) is None and not self.model_path(target).exists():
            raise RegistryError(f"unknown model {target} (see `model_registry.py list`)")
        return self.promote(target, action="rollback", by=by, rasa=rasa, reason="rollback", restore_data=True)


def _upsert(data: Dict[str, Any], entry: Dict[str, Any]) -> Dict[str, Any]:
    entry = dict(entry)
    entry["model"] = model_file_name(entry["model"])
    for existing in data["models"]:
        if existing["model"] == entry["model"]:
            existing.update({k: v for k, v in entry.items() if v is not None})
            return existing
    entry.setdefault("registered_at", now_iso())
    entry.setdefault("promoted", False)
    data["models"].append(entry)
    return entry


def model_file_name(model: str) -> str:
    name = Path(model).name
    return name if name.endswith(".tar.gz") else f"{name}.tar.gz"


def model_stem(model: str) -> str:
    return model_file_name(model)[: -len(".tar.gz")]


def model_hash(model: str) -> Optional[str]:
    stem = model_stem(model)
    return stem.split("model-", 1)[1] if stem.startswith("model-") else None


def _iso_from_ts(value: Any) -> Optional[str]:
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc).replace(microsecond=0).isoformat()
    return value if isinstance(value, str) else None


def _ts_from_iso(value: Any) -> Optional[float]:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return value if isinstance(value, (int, float)) else None


def atomic_write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2, sort_keys=False)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def replace_dir_contents(target: Path, source: Optional[Path]) -> None:
    """Make `target` hold exactly the *.yml files of `source` (or nothing when source is None/missing)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in target.glob("*.yml"):
        path.unlink()
    if source is not None and source.is_dir():
        for path in sorted(source.glob("*.yml")):
            shutil.copy2(path, target / path.name)
    if not any(target.iterdir()):
        target.rmdir()  # an empty from_logs/ would still be passed to `rasa train`


# --- command line ----------------------------------------------------------------------------------

def _fmt(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "-"


def print_list(registry: Registry) -> None:
    current = registry.current_model()
    entries = sorted(registry.entries(), key=lambda e: e.get("trained_at") or e.get("registered_at") or "")
    if not entries:
        print("registry is empty (no model trained by `make retrain` yet; `register-current` adopts the current model)")
        return
    print(f"{'':2}{'model':34} {'trained':25} {'macro-F1':>8} {'acc':>6} {'promoted':9} {'data':16} note")
    for e in entries:
        metrics = e.get("metrics") or {}
        mark = "* " if e["model"] == current else "  "
        exists = (registry.models_dir / e["model"]).exists()
        note = []
        if not exists:
            note.append("file deleted")
        if e.get("rolled_back_at"):
            note.append(f"rolled back {e['rolled_back_at']}")
        if e.get("gate") and not e["gate"].get("passed", True):
            note.append("rejected: " + "; ".join(e["gate"].get("reasons", []))[:80])
        print(f"{mark}{e['model']:34} {str(e.get('trained_at') or '-'):25} {_fmt(metrics.get('macro_f1')):>8} "
              f"{_fmt(metrics.get('accuracy')):>6} {('yes' if e.get('promoted') else 'no'):9} "
              f"{str(e.get('data_hash') or '-'):16} {', '.join(note)}")
    print("(* = current model)")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--from-logs-dir", type=Path, default=FROM_LOGS_DIR)
    sub = parser.add_subparsers(dest="command", required=True)
    list_cmd = sub.add_parser("list", help="every registered model")
    list_cmd.add_argument("--json", action="store_true")
    sub.add_parser("current", help="the current model")
    sub.add_parser("register-current", help="add the current model (trained by `make model`) to the registry")
    for name in ("rollback", "promote"):
        cmd = sub.add_parser(name)
        cmd.add_argument("model", nargs="?" if name == "rollback" else None)
        cmd.add_argument("--no-reload", action="store_true", help="do not hot-load into the running Rasa")
        cmd.add_argument("--by", default=os.environ.get("RETRAIN_ACTOR") or os.environ.get("USER") or "cli")
    sub.add_parser("reload", help="hot-load the model named in current.json into the running Rasa")
    args = parser.parse_args(argv)

    registry = Registry(args.models_dir, from_logs_dir=args.from_logs_dir)
    try:
        if args.command == "list":
            if args.json:
                print(json.dumps({"current": registry.current_model(), **registry.load()}, indent=2))
            else:
                print_list(registry)
        elif args.command == "current":
            current = registry.current()
            if not current:
                print("no current model (run `make model`)")
                return 1
            print(json.dumps(current, indent=2))
        elif args.command == "register-current":
            entry = registry.register_current()
            print(f"registered {entry['model']}" if entry else "no current model to register")
        elif args.command in ("rollback", "promote"):
            rasa = None if args.no_reload else RasaServer.from_env(args.models_dir.parent)
            if args.command == "rollback":
                result = registry.rollback(args.model, by=args.by, rasa=rasa)
            else:
                registry.register_current()
                result = registry.promote(args.model, action="promote", by=args.by, rasa=rasa, reason="manual")
            print(f"{args.command}: current model is now {result['model']} (was {result['previous']})")
            for note in result["notes"]:
                print(f"  {note}")
        elif args.command == "reload":
            model = registry.current_model()
            if not model:
                print("no current model (run `make model`)", file=sys.stderr)
                return 1
            rasa = RasaServer.from_env(args.models_dir.parent)
            if rasa.status() is None:
                print(f"Rasa is not running at {rasa.url}; it loads {model} when it starts")
                return 0
            rasa.load_model(registry.model_path(model))
            print(f"Rasa at {rasa.url} now serves {model}")
    except RegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
