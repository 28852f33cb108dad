"""Numbers as a person reads them, the same on the pages and in the CLI."""

from __future__ import annotations


def counted(n: int, noun: str) -> str:
    """A count with its noun agreeing: '1 near miss', '4 near misses', '3 corrective actions'."""
    if n != 1:
        noun += "es" if noun.endswith(("s", "x", "ch", "sh")) else "s"
    return f"{n} {noun}"


def readable(value: float) -> str:
    """As many digits as a person reads: 3.51, 19.2, 315, 1,204 (not 3.5066, 315.0 or 1.2e+03)."""
    size = abs(value)
    if 0 < size < 0.01:
        return f"{value:.1g}"  # a rare event's rate, not "0"
    text = f"{value:,.0f}" if size >= 100 else f"{value:.1f}" if size >= 10 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
