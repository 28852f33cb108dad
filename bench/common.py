"""What every benchmark shares: paths, scratch databases on both backends, statistics, CPU clocks."""

from __future__ import annotations

import math
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
RESULTS_MD = REPO / "bench" / "RESULTS.md"

Backend = Literal["sqlite", "postgresql"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgresql")

# The admin connection creates and drops the bench's own databases; every one of
# them is named with this prefix so nothing else on the server is ever touched.
PG_ADMIN_URL = os.environ.get(
    "FAILWELL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PG_PREFIX = "failwell_bench_"
HOST = "127.0.0.1"


def pg_url(database: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def pg_admin() -> Engine:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)


def pg_unavailable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        engine = pg_admin()
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not available"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}"


def chosen_backends(choice: str) -> list[Backend]:
    """The databases a run measures ('sqlite', 'postgresql' or 'both'); PostgreSQL is left out,
    with the reason printed, when no server answers."""
    backends = [b for b in BACKENDS if choice in (b, "both")]
    if "postgresql" in backends and (reason := pg_unavailable()):
        print(f"skipping PostgreSQL: {reason}", flush=True)
        backends.remove("postgresql")
    return backends


def _check_pg_name(name: str) -> None:
    if not name.startswith(PG_PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"refusing to touch database {name!r}: bench databases start with {PG_PREFIX}")


def pg_create(name: str, template: str | None = None) -> str:
    _check_pg_name(name)
    engine = pg_admin()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    finally:
        engine.dispose()
    return pg_url(name)


def pg_drop(name: str) -> None:
    _check_pg_name(name)
    engine = pg_admin()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def unique_suffix() -> str:
    return f"{os.getpid()}_{uuid.uuid4().hex[:6]}"


@dataclass
class ScratchDir:
    """A per-run directory under bench/out for SQLite files and server logs."""

    path: Path

    @classmethod
    def create(cls) -> ScratchDir:
        path = OUT / f"run-{unique_suffix()}"
        path.mkdir(parents=True, exist_ok=True)
        return cls(path)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def copy_sqlite(src: Path, dst: Path) -> None:
    # A migrated template is closed (its WAL checkpointed) before copying, so the
    # main file alone is the whole database.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)


# ---- statistics --------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation, so p95 is a latency someone really saw)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


# ---- CPU clocks --------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> Iterator[tuple[int, int, int]]:
    """(pid, process group, user+system clock ticks) of every live process."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                raw = fh.read()
        except OSError:  # gone since the directory was listed
            continue
        # The command name may contain spaces; the fields after its closing ')' are fixed:
        # [2] is the process group, [11] and [12] are utime and stime.
        fields = raw[raw.rfind(b")") + 2 :].split()
        yield int(entry.name), int(fields[2]), int(fields[11]) + int(fields[12])


def process_group_cpu(pgid: int) -> float:
    """CPU seconds (user+system) used so far by every live process in a process group.

    The server runs in its own session, so this is uvicorn and all its workers; a
    throughput number on a 2-core box means little without what it cost in CPU.
    """
    return sum(ticks for _pid, group, ticks in _proc_stats() if group == pgid) / _TICKS


def background_cpu(seconds: float = 1.0) -> float:
    """Cores kept busy by every other process over the next `seconds`, sampled while the
    benchmark itself is idle between phases: the machine may be shared, and on 2 cores a
    busy neighbour moves every number."""
    me = os.getpid()
    before = {pid: ticks for pid, _group, ticks in _proc_stats() if pid != me}
    time.sleep(seconds)
    after = {pid: ticks for pid, _group, ticks in _proc_stats() if pid != me}
    # Per process, so one that exits in between does not subtract its whole history.
    used = sum(max(0, t - before.get(pid, 0)) for pid, t in after.items())
    return used / _TICKS / seconds
