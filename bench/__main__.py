"""`python -m bench [--only NAME] [options]`: one command for every benchmark.

Without --only (or with ingest, listing or all) it runs the foundation suite (bench/suite.py);
`--only pages`, `--only recurrence`, `--only broadcast`, `--only metrics` and `--only webhooks` run those
benchmarks, each with its own options (`python -m bench --only pages --help`).
"""

import importlib
import sys
from itertools import pairwise

SEPARATE = {
    "pages": "bench.pages",
    "recurrence": "bench.recurrence",
    "broadcast": "bench.broadcast",
    "metrics": "bench.metrics",
    "webhooks": "bench.webhooks",
}


def _chosen(argv: list[str]) -> str | None:
    for flag, value in pairwise(argv):
        if flag == "--only":
            return value
    for arg in argv:
        if arg.startswith("--only="):
            return arg.partition("=")[2]
    return None


def _without_only(argv: list[str], name: str) -> list[str]:
    out: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--only" and i + 1 < len(argv) and argv[i + 1] == name:
            skip = True
            continue
        if arg == f"--only={name}":
            continue
        out.append(arg)
    return out


def run(argv: list[str]) -> int:
    name = _chosen(argv)
    if name in SEPARATE:
        module = importlib.import_module(SEPARATE[name])
        return int(module.main(_without_only(argv, name)))
    from bench.suite import main

    return int(main())


sys.exit(run(sys.argv[1:]))
