"""`python -m failwell`: the same as the `failwell` command."""

from failwell.cli import run

run()
