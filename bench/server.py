"""Starts the real application under uvicorn in a subprocess, as it runs in production."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from bench.common import HOST, REPO, process_group_cpu


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """`with Server(url, workers=2, log=path) as srv:` serves failwell on srv.port until the block ends."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 1,
        log: Path,
        startup_timeout_s: float = 60,
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.log = log
        self.startup_timeout_s = startup_timeout_s
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "failwell.app:create_app",
            "--host",
            HOST,
            "--port",
            str(self.port),
            # Access logging would bench the logger: one line per request, on the same cores.
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        if self.workers > 1:
            cmd += ["--workers", str(self.workers)]
        env = dict(os.environ)
        env["FAILWELL_DATABASE_URL"] = self.database_url
        env.setdefault("FAILWELL_LOG_LEVEL", "warning")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            # Own session, so the server and its workers can be stopped (and their CPU
            # counted) as one process group without touching anything else.
            self._proc = subprocess.Popen(
                cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self._proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                ok = conn.getresponse().status == 200
                conn.close()
                if ok and self.workers > 1:
                    # The first worker answering does not mean the second one is up yet.
                    time.sleep(1.0)
                if ok:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(
            f"uvicorn did not answer /healthz within {self.startup_timeout_s}s; see {self.log}"
        )

    def cpu_seconds(self) -> float:
        return process_group_cpu(self._proc.pid) if self._proc else 0.0

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        pgid = proc.pid  # start_new_session made the server its group's leader
        os.killpg(pgid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            proc.wait(timeout=5)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
