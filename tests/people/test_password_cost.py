"""argon2's cost: production hashes stay strong; only the test set-up makes them cheap."""

from __future__ import annotations

import subprocess
import sys

import argon2

from failwell.people import security

PRODUCTION_CHECK = """
import argon2
import failwell.app, failwell.cli, failwell.demo.loader  # everything production imports
from failwell.people import security
parameters = argon2.extract_parameters(security.hash_password("correct horse battery"))
print(parameters.time_cost, parameters.memory_cost, parameters.parallelism)
"""


def test_production_hashes_keep_argon2_defaults() -> None:
    # A fresh interpreter, as `failwell serve` starts: no test set-up has run in it.
    out = subprocess.run(
        [sys.executable, "-c", PRODUCTION_CHECK], check=True, capture_output=True, text=True, timeout=120
    ).stdout.split()
    time_cost, memory_cost, parallelism = (int(value) for value in out)
    defaults = argon2.PasswordHasher()
    assert (time_cost, memory_cost, parallelism) == (
        defaults.time_cost,
        defaults.memory_cost,
        defaults.parallelism,
    )
    assert time_cost >= 3 and memory_cost >= 64 * 1024  # RFC 9106's low-memory profile, at least
    assert (time_cost, memory_cost) == (security.DEFAULT_TIME_COST, security.DEFAULT_MEMORY_COST_KIB)


def test_tests_hash_cheaply_and_verify_either_way() -> None:
    # tests/conftest.py lowers them for the whole suite (production: 3 passes over 64 MiB).
    time_cost, memory_cost = security.password_parameters()
    assert time_cost == 1 and memory_cost <= 64
    cheap = security.hash_password("correct horse battery")
    parameters = argon2.extract_parameters(cheap)
    assert (parameters.time_cost, parameters.memory_cost) == (time_cost, memory_cost)
    # Verification reads the parameters from the hash: a production-strength hash still verifies.
    strong = argon2.PasswordHasher().hash("correct horse battery")
    assert security.verify_password(strong, "correct horse battery")
    assert security.verify_password(cheap, "correct horse battery")
    assert not security.verify_password(cheap, "wrong horse battery")
