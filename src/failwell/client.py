"""A small HTTP client for the CLI verbs that talk to a failwell server."""

from __future__ import annotations

import os
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8000"


class ApiError(Exception):
    """A refusal from the server (problem details) or no server at all."""

    def __init__(
        self, message: str, status: int | None = None, fields: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.fields = fields or []  # (field, reason) as the server named them

    @classmethod
    def at_fields(cls, fields: list[tuple[str, str]], status: int | None = 422) -> ApiError:
        """A refusal naming its fields, said as "field: reason; field: reason"."""
        return cls("; ".join(f"{f}: {r}" for f, r in fields), status, fields)


def _refusal(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        return ApiError(f"HTTP {response.status_code}: {response.text[:200]}", response.status_code)
    if not isinstance(body, dict):
        return ApiError(f"HTTP {response.status_code}", response.status_code)
    fields = [(str(e.get("field")), str(e.get("reason"))) for e in body.get("errors") or []]
    if fields:
        return ApiError.at_fields(fields, response.status_code)
    detail = str(body.get("detail") or body.get("title") or f"HTTP {response.status_code}")
    return ApiError(detail, response.status_code)


class ApiClient:
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 30.0) -> None:
        self.url = (url or os.environ.get("FAILWELL_URL") or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else os.environ.get("FAILWELL_TOKEN")
        if not self.token:
            raise ApiError("no API token: set FAILWELL_TOKEN (create one with 'failwell token create').")
        self._http = httpx.Client(
            base_url=self.url, timeout=timeout, headers={"Authorization": f"Bearer {self.token}"}
        )

    def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self._http.request(method, f"/api/v1{path}", json=json, params=clean)
        except httpx.HTTPError as exc:
            raise ApiError(f"cannot reach the failwell server at {self.url}: {exc}") from exc
        if response.status_code >= 400:
            raise _refusal(response)
        return response.json()

    def close(self) -> None:
        self._http.close()
