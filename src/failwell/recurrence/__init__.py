"""Has this happened before? Similar failures, problems and known errors, lessons before deploying."""

import os

# The semantic search is one matrix-vector product per request. BLAS threads would fight the
# server's own threads and processes for the cores (measured: 26 ms with threads vs 11 ms
# without, 100k x 768, on the 2-core bench machine); set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
