"""Who sent a delivery: HMAC signatures and shared tokens, always compared in constant time."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from failwell.errors import NotAuthenticated
from failwell.integrations.models import IntegrationKind


def hmac_sha256(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _missing(what: str) -> NotAuthenticated:
    return NotAuthenticated(detail=f"Unsigned delivery: send {what}.")


def _wrong(what: str) -> NotAuthenticated:
    return NotAuthenticated(detail=f"The {what} does not match this integration's secret.")


def _check_hub_signature(header: str | None, secret: str, body: bytes, name: str) -> None:
    if not header:
        raise _missing(name)
    scheme, _, digest = header.partition("=")
    if scheme != "sha256" or not _same(digest.strip().lower(), hmac_sha256(secret, body)):
        raise _wrong(name)


def _bearer_or_basic(header: str | None) -> str | None:
    """The secret an Authorization header carries: a bearer token, or a basic password."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""


def verify(kind: IntegrationKind, headers: Mapping[str, str], body: bytes, secret: str) -> None:
    """Raises NotAuthenticated unless the delivery proves it knows the integration's secret.
    ``headers`` has lower-case names."""
    if kind == IntegrationKind.github:
        _check_hub_signature(headers.get("x-hub-signature-256"), secret, body, "X-Hub-Signature-256")
    elif kind == IntegrationKind.gitlab:
        token = headers.get("x-gitlab-token")
        if not token:
            raise _missing("X-Gitlab-Token")
        if not _same(token, secret):
            raise _wrong("X-Gitlab-Token")
    elif kind == IntegrationKind.pagerduty:
        header = headers.get("x-pagerduty-signature")
        if not header:
            raise _missing("X-PagerDuty-Signature")
        expected = hmac_sha256(secret, body)
        # During a secret rotation PagerDuty signs with each secret: one match is enough.
        given = [part.strip()[3:] for part in header.split(",") if part.strip().startswith("v1=")]
        if not any(_same(g.lower(), expected) for g in given):
            raise _wrong("X-PagerDuty-Signature")
    elif kind == IntegrationKind.generic and headers.get("x-failwell-signature-256"):
        _check_hub_signature(headers["x-failwell-signature-256"], secret, body, "X-Failwell-Signature-256")
    else:  # alertmanager, generic: a bearer token or a basic-auth password, as http_config sends
        token = _bearer_or_basic(headers.get("authorization"))
        if token is None:
            raise _missing("'Authorization: Bearer <secret>' (or basic auth with the secret as password)")
        if not _same(token, secret):
            raise _wrong("Authorization header")
