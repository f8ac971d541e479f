"""Helpers of the retraining tests: a stand-in for Rasa's HTTP API (GET /status, PUT /model)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List, Optional
from urllib.parse import parse_qs, urlparse


class FakeRasa:
    """Answers like `rasa run --enable-api --auth-token TOKEN`: token in the query string, PUT /model
    with {"model_file": path} loads the model (404-like error when the file does not exist)."""

    def __init__(self, token: str = "rasa-test-token", model_file: Optional[str] = None, refuse: bool = False):
        self.token = token
        self.model_file = model_file
        self.refuse = refuse
        self.loads: List[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _authorised(self) -> bool:
                query = parse_qs(urlparse(self.path).query)
                if query.get("token", [None])[0] != fake.token:
                    self._reply(401, {"status": "failure", "reason": "NotAuthenticated"})
                    return False
                return True

            def _reply(self, code: int, body=None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if urlparse(self.path).path == "/status" and self._authorised():
                    self._reply(200, {"model_file": fake.model_file, "model_id": "x", "num_active_training_jobs": 0})

            def do_PUT(self):
                if urlparse(self.path).path != "/model" or not self._authorised():
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                fake.loads.append(body)
                model = body.get("model_file") or ""
                if fake.refuse:
                    self._reply(500, {"status": "failure", "reason": "LoadingError", "message": "corrupt model"})
                elif not Path(model).is_absolute() or not Path(model).exists():
                    self._reply(400, {"status": "failure", "reason": "BadRequest", "message": "no such model"})
                else:
                    fake.model_file = Path(model).name
                    self._reply(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeRasa":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
