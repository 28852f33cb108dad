"""The deployment rollup's figures for one key (day, service, environment): the Tally that folds
deployments into them, and the lead-time histogram it keeps.

Lead times go into buckets 2^(1/16) apart (4.4 % wide) from one minute to about a year, one
bucket below (under a minute) and one above; a histogram is stored sparse, as little-endian
(uint16 bucket, uint32 count) pairs written in hex: text, so a read can concatenate a day's
histograms in SQL (group_concat, string_agg) and fetch one row per day.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np

from failwell.enums import DeploymentOutcome

PER_DOUBLING = 16
# Buckets 1..TOP cover [2^((k-1)/16), 2^(k/16)) minutes: 1 minute to 2^(305/16) min (~1.04 years).
TOP = 305
OVERFLOW = TOP + 1
N_BUCKETS = TOP + 2
PAIR = np.dtype([("bucket", "<u2"), ("count", "<u4")])


Key = tuple[date, int, str]


def bucket_of(seconds: float) -> int:
    minutes = seconds / 60.0
    if minutes < 1.0:
        return 0
    return min(math.floor(PER_DOUBLING * math.log2(minutes)) + 1, OVERFLOW)


def bucket_bounds(k: int) -> tuple[float, float]:
    """The bucket's [low, high) in seconds (the overflow bucket answers its low end twice)."""
    if k == 0:
        return 0.0, 60.0
    low = 60.0 * 2.0 ** ((min(k, OVERFLOW) - 1) / PER_DOUBLING)
    return (low, low) if k == OVERFLOW else (low, 60.0 * 2.0 ** (k / PER_DOUBLING))


def encode(histogram: Counter[int]) -> str:
    return np.array(sorted(histogram.items()), dtype=PAIR).tobytes().hex() if histogram else ""


def decode(hexed: str) -> Counter[int]:
    pairs = np.frombuffer(bytes.fromhex(hexed), dtype=PAIR) if hexed else np.zeros(0, dtype=PAIR)
    return Counter({int(b): int(c) for b, c in zip(pairs["bucket"], pairs["count"], strict=True)})


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass
class Tally:
    """One key's figures, folded from its deployments."""

    deployments: int = 0
    failed: int = 0
    rolled_back: int = 0
    rework: int = 0
    linked: int = 0
    lead_times: Counter[int] = field(default_factory=Counter)

    def add(self, row: Any) -> None:
        """row: (started_at, finished_at, outcome, rework, first_commit_at, linked)."""
        started, finished, outcome, rework, first_commit, linked = row[:6]
        self.deployments += 1
        self.rework += 1 if rework else 0
        if outcome == DeploymentOutcome.failed:
            self.failed += 1
        elif outcome == DeploymentOutcome.rolled_back:
            self.rolled_back += 1
        else:
            self.linked += 1 if linked else 0
            landed = finished or started
            if first_commit is not None and first_commit <= landed:
                self.lead_times[bucket_of((landed - first_commit).total_seconds())] += 1

    def values(self) -> dict[str, Any]:
        return {
            "deployments": self.deployments,
            "failed": self.failed,
            "rolled_back": self.rolled_back,
            "rework": self.rework,
            "linked": self.linked,
            "lead_times": encode(self.lead_times),
        }
