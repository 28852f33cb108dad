"""A worker process's tie to its supervisor: when the supervisor dies, the worker goes too.

`failwell serve --workers N` runs a supervisor that binds the port and N worker processes that
share the listening socket. If the supervisor is killed outright (SIGKILL, the OOM killer), it
cannot stop its workers; orphaned, they would keep the socket open and the next `failwell serve`
would fail on a taken port. So each worker, at start, asks to be sent SIGTERM when its parent dies
(Linux's PR_SET_PDEATHSIG), and also runs a watchdog thread that notices being re-parented (the
portable fallback, and a backstop if the graceful shutdown hangs).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

SUPERVISOR_ENV = "FAILWELL_SUPERVISOR_PID"
_PR_SET_PDEATHSIG = 1


def _ask_kernel_for_sigterm_on_parent_death() -> bool:
    """True when the kernel will SIGTERM this process as its parent exits (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(supervisor_pid: int, interval: float, grace: float) -> None:
    while os.getppid() == supervisor_pid:
        time.sleep(interval)
    # Orphaned: ask for the graceful shutdown first, then make sure of it.
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(grace)
    os._exit(1)


def hold(supervisor_pid: int, *, interval: float = 0.5, grace: float = 10.0, kernel: bool = True) -> None:
    """Ties this process's life to `supervisor_pid`, which must be its parent (`kernel=False`
    leaves only the watchdog, for tests)."""
    if kernel:
        _ask_kernel_for_sigterm_on_parent_death()
    # The parent may have died before prctl took effect: the watchdog's first look catches that.
    threading.Thread(
        target=_watch, args=(supervisor_pid, interval, grace), name="failwell-lifeline", daemon=True
    ).start()


def hold_from_environment() -> bool:
    """Holds on to the supervisor named in FAILWELL_SUPERVISOR_PID, if this process is its child."""
    raw = os.environ.get(SUPERVISOR_ENV, "")
    if not raw.isdigit() or int(raw) == os.getpid():
        return False  # not a worker (no supervisor, or the supervisor itself serving alone)
    hold(int(raw))
    return True
