"""Client for the Rasa server: the REST channel (chat), the HTTP API (parse, trackers)."""
from __future__ import annotations

import itertools
import logging
import zlib
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with a server error."""


def _mapping(data: Any) -> dict:
    if not isinstance(data, dict):
        raise RasaUnavailable("unexpected reply shape")
    return data


class RasaClient:
    """One Rasa server, or several replicas: `base_url` may list them, comma-separated
    (RASA_URL=http://127.0.0.1:5005,http://127.0.0.1:5006).

    Rasa handles one message at a time per process, so replicas are how it uses more than one core.
    A conversation always goes to the same replica (a stable hash of the sender id), so its
    messages are never processed by two replicas at once even with Rasa's in-memory lock store;
    all replicas share the SQL tracker store. A replica that refuses connections (down, restarting)
    is skipped: the message never reached it, so sending it to the next one is safe. For routing
    by a load balancer instead (any replica, any message), give the replicas a Redis lock store.
    """

    def __init__(self, *, base_url: str, token: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None):
        self._token = token
        urls = [url.strip() for url in base_url.split(",") if url.strip()] or [base_url]
        self._replicas = [httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport) for url in urls]
        self._turn = itertools.count()

    @property
    def replicas(self) -> int:
        return len(self._replicas)

    async def aclose(self) -> None:
        for http in self._replicas:
            await http.aclose()

    def _order(self, sender: str | None) -> list[httpx.AsyncClient]:
        count = len(self._replicas)
        if count == 1:
            return self._replicas
        first = zlib.crc32(sender.encode("utf-8", "replace")) % count if sender is not None else next(self._turn) % count
        return [self._replicas[(first + i) % count] for i in range(count)]

    async def _request(self, method: str, url: str, *, sender: str | None = None, **kwargs: Any) -> Any:
        params = kwargs.pop("params", {}) or {}
        if self._token:
            params["token"] = self._token
        response = None
        for http in self._order(sender):
            try:
                response = await http.request(method, url, params=params, **kwargs)
                break
            except httpx.ConnectError:  # nothing was sent: the next replica may take it
                continue
            except httpx.HTTPError as exc:  # timeout, protocol error
                raise RasaUnavailable(f"{type(exc).__name__}") from exc
        if response is None:
            raise RasaUnavailable("ConnectError")
        if response.status_code in (401, 403):
            # A configuration fault (RASA_TOKEN differs from Rasa's --auth-token), not the person's.
            logger.error("rasa refused the app's token (HTTP %s): check RASA_TOKEN", response.status_code)
            raise RasaUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise RasaUnavailable(f"HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:  # not JSON (a proxy's error page, a truncated body)
            raise RasaUnavailable("invalid JSON") from exc

    async def send_message(self, *, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        replies = await self._request("POST", "/webhooks/rest/webhook", sender=sender, json=body)
        if not isinstance(replies, list):
            raise RasaUnavailable("unexpected reply shape")
        return [reply for reply in replies if isinstance(reply, dict)]

    async def parse(self, *, text: str) -> dict:
        return _mapping(await self._request("POST", "/model/parse", json={"text": text}))

    async def tracker(self, *, sender: str) -> dict:
        return _mapping(
            await self._request("GET", f"/conversations/{sender}/tracker", sender=sender, params={"include_events": "ALL"})
        )

    async def status(self) -> dict:
        return await self._request("GET", "/status")
