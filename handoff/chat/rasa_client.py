"""Client for the Rasa server: the REST channel (chat), the HTTP API (parse, trackers)."""
from __future__ import annotations

from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with a server error."""


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
        if response.status_code >= 500:
            raise RasaUnavailable(f"HTTP {response.status_code}")
        response.raise_for_status()
        return response.json()

    async def send_message(self, *, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        return await self._request("POST", "/webhooks/rest/webhook", json=body)

    async def parse(self, *, text: str) -> dict:
        return await self._request("POST", "/model/parse", json={"text": text})

    async def tracker(self, *, sender: str) -> dict:
        return await self._request("GET", f"/conversations/{sender}/tracker", params={"include_events": "ALL"})

    async def status(self) -> dict:
        return await self._request("GET", "/status")
