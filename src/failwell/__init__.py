"""failwell: learn from failure so the same failure does not happen twice."""

__version__ = "0.1.0"
