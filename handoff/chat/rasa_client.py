"""Client for the Rasa server: the REST channel (chat), the HTTP API (parse, trackers)."""
from __future__ import annotations

import logging
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
    def __init__(self, *, base_url: str, token: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None):
        self._token = token
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        params = kwargs.pop("params", {}) or {}
        if self._token:
            params["token"] = self._token
        try:
            response = await self._http.request(method, url, params=params, **kwargs)
        except httpx.HTTPError as exc:  # connection refused, timeout, protocol error
            raise RasaUnavailable(f"{type(exc).__name__}") from exc
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
        replies = await self._request("POST", "/webhooks/rest/webhook", json=body)
        if not isinstance(replies, list):
            raise RasaUnavailable("unexpected reply shape")
        return [reply for reply in replies if isinstance(reply, dict)]

    async def parse(self, *, text: str) -> dict:
        return _mapping(await self._request("POST", "/model/parse", json={"text": text}))

    async def tracker(self, *, sender: str) -> dict:
        return _mapping(await self._request("GET", f"/conversations/{sender}/tracker", params={"include_events": "ALL"}))

    async def status(self) -> dict:
        return await self._request("GET", "/status")
