"""`failwell serve --workers N`: killing the supervisor outright takes its workers with it.

Otherwise orphaned workers keep the listening socket and the next `failwell serve` on the same
port fails. Linux only (the test reads /proc to find the workers).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from failwell import lifeline
from support import free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc"),
]


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is parenthesised and may hold spaces: split after it.
    return int(stat.rsplit(")", 1)[1].split()[1])


def _children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _parent_of(int(entry.name)) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; it only waits for its new parent to reap it


def _serve(tmp_path: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FAILWELL_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "FAILWELL_LOG_LEVEL": "warning",
    }
    env.pop(lifeline.SUPERVISOR_ENV, None)
    cmd = [sys.executable, "-m", "failwell", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as out:
        return subprocess.Popen(
            [*cmd, "--workers", "2"], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180  # a busy CI machine: migrating and spawning take a while
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"failwell serve did not come up: {log.read_text()[-2000:]}")


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_sigkilled_supervisor_takes_its_workers_and_frees_the_port(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    url = f"http://127.0.0.1:{port}"
    supervisor = _serve(tmp_path, port, log)
    second: subprocess.Popen[bytes] | None = None
    workers: set[int] = set()
    try:
        _wait_until_up(url, supervisor, log)
        deadline = time.monotonic() + 30
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = _children_of(supervisor.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, workers

        supervisor.send_signal(signal.SIGKILL)
        supervisor.wait(timeout=10)
        # SIGTERM at once; a graceful shutdown, or the watchdog's hard exit 10 s later at worst.
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if _alive(pid)], log.read_text()[-2000:]
        assert _port_is_free(port)

        # And a fresh server starts on the same port.
        second = _serve(tmp_path, port, log)
        _wait_until_up(url, second, log)
    finally:
        for proc in (supervisor, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_watchdog_notices_a_parent_that_is_not_the_supervisor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The portable fallback: a worker whose parent is no longer the supervisor gets SIGTERM."""
    received = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: received.set())
    exits: list[int] = []
    monkeypatch.setattr(os, "_exit", exits.append)
    try:
        lifeline.hold(supervisor_pid=-1, interval=0.05, grace=0.05, kernel=False)  # never our parent
        deadline = time.monotonic() + 5
        while not exits and time.monotonic() < deadline:
            time.sleep(0.05)
        assert received.is_set() and exits == [1]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_single_process_serving_holds_no_lifeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(lifeline.SUPERVISOR_ENV, str(os.getpid()))
    assert lifeline.hold_from_environment() is False
    monkeypatch.delenv(lifeline.SUPERVISOR_ENV)
    assert lifeline.hold_from_environment() is False
