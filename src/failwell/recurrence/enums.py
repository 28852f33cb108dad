"""Vocabulary of the recurrence slice (stored as strings)."""

from enum import StrEnum


class ProblemStatus(StrEnum):
    """ITIL problem control: a problem is open, then a known error once its cause and a workaround
    are understood, then resolved when the fix is in place, then closed."""

    open = "open"
    known_error = "known_error"
    resolved = "resolved"
    closed = "closed"
