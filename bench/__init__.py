"""failwell's benchmark suite: API ingestion throughput and list latency on a large organisation.

Run it with ``python -m bench`` (or ``python bench/run.py``); ``--help`` lists the options.
"""

from failwell.bootstrap import bootstrap

# Benchmarks call services directly, as the app and the CLI do after wiring the composition root.
bootstrap()
