"""A deliberately minimal keep-alive HTTP/1.1 client on asyncio streams.

The load generator shares two cores with the server under test, so every cycle it
spends is a cycle the server does not get. httpx costs several times more CPU per
request than writing pre-built request bytes to a socket and reading back a
Content-Length body, so the benchmarks use this instead. It speaks just enough
HTTP for uvicorn's responses (Content-Length or chunked bodies, keep-alive).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


def build_request(
    method: str, path: str, host: str, port: int, token: str | None = None, body: bytes | None = None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body is not None:
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    return head + (body or b"")


class HttpError(Exception):
    pass


class Connection:
    """One keep-alive connection; reconnects transparently when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        reader, writer = await self._connect()
        try:
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            lower = head.lower()
            body = await self._read_body(reader, lower)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            await self.close()
            raise
        if b"\r\nconnection: close" in lower:
            await self.close()
        return status, body

    @staticmethod
    async def _read_body(reader: asyncio.StreamReader, lower_head: bytes) -> bytes:
        at = lower_head.find(b"\r\ncontent-length:")
        if at >= 0:
            end = lower_head.find(b"\r\n", at + 2)
            return await reader.readexactly(int(lower_head[at + 17 : end]))
        if b"\r\ntransfer-encoding: chunked" in lower_head:
            chunks: list[bytes] = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    return b"".join(chunks)
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
        raise HttpError("response without Content-Length or chunked encoding")

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


@dataclass
class LoadResult:
    sent: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    client_cpu_s: float = 0.0
    first_error: str | None = None

    def count(self, status: int | str) -> int:
        return self.statuses[str(status)]

    @property
    def errors(self) -> int:
        return sum(n for key, n in self.statuses.items() if not key.startswith("2"))


async def closed_loop(
    host: str, port: int, requests: Sequence[bytes], concurrency: int, time_limit_s: float
) -> LoadResult:
    """Sends every request once over `concurrency` keep-alive connections, each sending
    its next request as soon as the previous answer arrives (a closed loop: the
    throughput measured is what the server sustains, not an offered rate)."""
    result = LoadResult()
    next_index = 0
    deadline = time.perf_counter() + time_limit_s

    async def worker() -> None:
        nonlocal next_index
        conn = Connection(host, port)
        try:
            while next_index < len(requests) and time.perf_counter() < deadline:
                raw = requests[next_index]
                next_index += 1  # no await between read and increment: no race on one loop
                started = time.perf_counter()
                try:
                    status, body = await conn.request(raw)
                except Exception as exc:  # counted and reported, never fatal to the run
                    result.statuses[f"error:{type(exc).__name__}"] += 1
                    result.first_error = result.first_error or repr(exc)
                    continue
                result.latencies_s.append(time.perf_counter() - started)
                result.statuses[str(status)] += 1
                if status >= 400 and result.first_error is None:
                    result.first_error = f"HTTP {status}: {body[:300]!r}"
        finally:
            await conn.close()

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.wall_s = time.perf_counter() - wall0
    result.client_cpu_s = time.process_time() - cpu0
    result.sent = sum(result.statuses.values())
    return result


def run_async(factory: Callable[[], Awaitable[T]]) -> T:
    """Runs a coroutine on uvloop when it is installed (it is, with uvicorn[standard]):
    the client's own overhead matters on a shared 2-core machine."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.run(_await(factory))
    return uvloop.run(_await(factory))


async def _await(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()
