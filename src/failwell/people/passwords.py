"""The password policy: long enough, and not guessable by an attacker's word lists.

Strength is estimated offline with zxcvbn (its lists of common passwords, words, names,
keyboard patterns and dates); nothing leaves the server. Every refusal is one plain sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn's scale is 0-4; 3 is "safely unguessable" against an offline attack on a slow hash.
MIN_SCORE = 3
# Words an attacker of this site would try first.
SITE_WORDS = ("failwell",)


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why `password` is refused, in plain words, or None when it is acceptable.

    `user_inputs` are the person's own details (name, e-mail): a password made of them is weak."""
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    words = [*SITE_WORDS, *_pieces(user_inputs)]
    # zxcvbn's cost grows with length; the first 100 characters decide the score anyway.
    result = zxcvbn(password[:100], user_inputs=words)
    if result["score"] >= MIN_SCORE:
        return None
    warning = str(result["feedback"]["warning"] or "").rstrip(".")
    reason = warning[0].lower() + warning[1:] if warning else "it is too easy to guess"
    return f"choose a harder password: {reason}; a few uncommon words together are easy to remember"


def length_problem(password: str) -> str | None:
    """The length rule alone, for the demo's published password (see demo/organisation.py)."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return f"use between {MIN_LENGTH} and {MAX_LENGTH} characters"
    return None


def _pieces(values: Iterable[str]) -> list[str]:
    # "kim.lee@example.com" should also count "kim" and "lee" as the person's own words.
    out: list[str] = []
    for value in values:
        if not value:
            continue
        out.append(value.lower())
        out.extend(p for p in value.lower().replace("@", " ").replace(".", " ").split() if len(p) > 2)
    return out


def _check(password: str) -> str:
    problem = password_problem(password)
    if problem is not None:
        raise PydanticCustomError("weak_password", problem)
    return password


# A new password in any input model. The length bounds are documented in the schema but
# checked by the validator, so the refusal reads in plain words rather than pydantic's.
Password = Annotated[
    str,
    Field(json_schema_extra={"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH}),
    AfterValidator(_check),
]
