"""Entry point for `python bench/run.py` (same as `python -m bench`)."""

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script, sys.path[0] is bench/ itself: make the repository root importable
    # instead, so `bench` is the package (and bench/*.py cannot shadow other modules).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.suite import main

if __name__ == "__main__":
    sys.exit(main())
