"""Where a list request's time goes: SQL statements per request, time in the database, and the
query plan of the costliest statement. `python -m bench.diagnose --backend sqlite`.

Runs the app in-process (Starlette's TestClient) against the cached generated organisation,
with SQLAlchemy cursor events timing every statement. It is a diagnostic, not a benchmark:
in-process timings carry the test client's overhead, so compare within a run only.
"""

from __future__ import annotations

import argparse
import random
import re
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

from bench.common import Backend
from bench.generate import prepare_org
from bench.listing import HEALTHZ, KINDS
from bench.org_shape import SCALES, OrgMeta
from failwell.app import create_app
from failwell.settings import Settings


@dataclass
class Statement:
    sql: str
    params: Any
    seconds: float


@dataclass
class KindDiagnosis:
    name: str
    requests: int
    ms_per_request: float
    db_ms_per_request: float
    statements_per_request: float
    by_shape: list[tuple[str, int, float]] = field(default_factory=list)  # (shape, count, total ms)
    slowest: Statement | None = None
    plan: list[str] = field(default_factory=list)


def _shape(sql: str) -> str:
    """A statement with its literal lists folded, so the same query with other ids groups together."""
    flat = re.sub(r"\s+", " ", sql)
    flat = re.sub(r"\(__\[POSTCOMPILE_\w+\]\)|IN \((?:[?%][^)]*)\)", "IN (...)", flat)
    return flat


@contextmanager
def _capture(engine: Engine) -> Iterator[list[Statement]]:
    captured: list[Statement] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        conn.info.setdefault("bench_t0", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        started = conn.info["bench_t0"].pop()
        captured.append(Statement(statement, parameters, time.perf_counter() - started))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield captured
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def explain(engine: Engine, stmt: Statement) -> list[str]:
    if stmt.sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
        return []
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + stmt.sql, stmt.params).all()
    if engine.dialect.name == "sqlite":
        return [f"{row[0]}|{row[1]}| {row[3]}" for row in rows]
    return [str(row[0]) for row in rows]


def diagnose(meta: OrgMeta, requests: int = 10, log: Callable[[str], None] = print) -> list[KindDiagnosis]:
    from fastapi.testclient import TestClient  # only the diagnostic needs it

    warnings.filterwarnings("ignore", message=".*httpx.*")
    app = create_app(Settings(database_url=meta.url))
    engine: Engine = app.state.db.engine
    rng = random.Random(11)
    headers = {"Authorization": f"Bearer {meta.token}"}
    out = []
    with TestClient(app) as client:
        for kind in KINDS:
            if kind.name == HEALTHZ:
                continue
            for _ in range(2):  # warm caches and compiled-statement caches first
                client.get(kind.make(rng, meta), headers=headers)
            with _capture(engine) as captured:
                t0 = time.perf_counter()
                for _ in range(requests):
                    response = client.get(kind.make(rng, meta), headers=headers)
                    response.raise_for_status()
                elapsed = time.perf_counter() - t0
            shapes: dict[str, list[float]] = defaultdict(list)
            for stmt in captured:
                shapes[_shape(stmt.sql)].append(stmt.seconds)
            # The plan worth reading is the statement shape costing the most in total (not a
            # one-off outlier), at its slowest occurrence.
            costliest = max(shapes, key=lambda k: sum(shapes[k]), default=None)
            slowest = max(
                (st for st in captured if _shape(st.sql) == costliest),
                key=lambda st: st.seconds,
                default=None,
            )
            d = KindDiagnosis(
                name=kind.name,
                requests=requests,
                ms_per_request=1000 * elapsed / requests,
                db_ms_per_request=1000 * sum(s.seconds for s in captured) / requests,
                statements_per_request=len(captured) / requests,
                by_shape=sorted(
                    ((shape, len(t), 1000 * sum(t)) for shape, t in shapes.items()), key=lambda x: -x[2]
                ),
                slowest=slowest,
                plan=explain(engine, slowest) if slowest else [],
            )
            log(
                f"{d.name:38s} {d.ms_per_request:7.1f} ms/request, {d.db_ms_per_request:7.1f} ms in SQL, "
                f"{d.statements_per_request:5.1f} statements/request"
            )
            out.append(d)
    app.state.db.dispose()
    return out


def render(backend: str, results: list[KindDiagnosis], top: int = 3) -> str:
    lines = [f"## {backend}", ""]
    lines += ["| query | ms/request | ms in SQL | statements/request |", "| --- | ---: | ---: | ---: |"]
    lines += [
        f"| `{d.name}` | {d.ms_per_request:.1f} | {d.db_ms_per_request:.1f} "
        f"| {d.statements_per_request:.1f} |"
        for d in results
    ]
    lines.append("")
    for d in results:
        lines += [f"### {d.name}", ""]
        for shape, count, total_ms in d.by_shape[:top]:
            lines.append(f"- {count} x, {total_ms / d.requests:.1f} ms/request: `{shape[:400]}`")
        if d.slowest is not None:
            lines += [
                "",
                f"Costliest statement, slowest run ({1000 * d.slowest.seconds:.1f} ms), plan:",
                "",
                "```",
            ]
            lines += [*d.plan, "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.diagnose", description=__doc__)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--scale", choices=sorted(SCALES), default="large")
    p.add_argument("--requests", type=int, default=10)
    p.add_argument("--sqlite-analyze", action="store_true")
    p.add_argument("--output", help="write the markdown report here as well")
    args = p.parse_args(argv)
    backend: Backend = args.backend
    meta = prepare_org(backend, SCALES[args.scale], print, sqlite_analyze=args.sqlite_analyze)
    md = render(backend, diagnose(meta, args.requests))
    if args.output:
        with open(args.output, "w") as fh:
            fh.write(md)
    else:
        print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
