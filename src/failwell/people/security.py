"""Password hashing (argon2) and API token generation (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "fw_"
# argon2-cffi's defaults (RFC 9106's low-memory profile: 3 passes over 64 MiB, 4 lanes), on
# purpose tens of milliseconds a hash. Only a test set-up may lower them (use_password_parameters).
DEFAULT_TIME_COST = 3
DEFAULT_MEMORY_COST_KIB = 65536
_hasher = PasswordHasher(time_cost=DEFAULT_TIME_COST, memory_cost=DEFAULT_MEMORY_COST_KIB)


def use_password_parameters(time_cost: int, memory_cost: int) -> None:
    """Hashes new passwords with these argon2 parameters (memory in KiB) in this process.

    For test suites only, which hash a password for every test database and need no strength:
    nothing in failwell calls it. Verification reads the parameters from each stored hash, so
    hashes made either way verify either way."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


def password_parameters() -> tuple[int, int]:
    """(time cost, memory cost in KiB) that new password hashes are made with."""
    return _hasher.time_cost, _hasher.memory_cost


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is safe here (unlike passwords)
    # and keeps authentication cheap on every API request.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
