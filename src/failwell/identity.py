"""The identity port: who an API token or a browser session stands for.

The request plumbing (``failwell.deps``) and the web kit (``failwell.web.auth``) need these two
look-ups on every request, but they sit below the people slice that owns the tables. So they ask
this port, and the composition root (``failwell.bootstrap``) installs the people slice's
implementation with ``use``. Until it has, the look-ups refuse rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection

from failwell.authz import Actor


@dataclass(frozen=True)
class SignedIn:
    """The person behind a browser session, and the CSRF token its forms must carry."""

    actor: Actor
    email: str
    csrf_token: str


class IdentityProvider(Protocol):
    """Answers the identity look-ups over a bare connection (they run before each request's work)."""

    def authenticate_token(self, connection: Connection, secret: str) -> Actor | None:
        """The actor an API token stands for, or None (unknown, revoked, expired, deactivated)."""
        ...

    def authenticate_web_session(self, connection: Connection, secret: str) -> SignedIn | None:
        """The person signed in with this session cookie secret, or None."""
        ...


class IdentityNotWired(RuntimeError):
    """An identity look-up ran before the composition root installed a provider."""


_provider: IdentityProvider | None = None


def use(provider: IdentityProvider | None) -> IdentityProvider | None:
    """Installs the provider (None uninstalls it); returns the one it replaced, so tests can restore it."""
    global _provider
    previous, _provider = _provider, provider
    return previous


def _installed() -> IdentityProvider:
    if _provider is None:
        raise IdentityNotWired(
            "no identity provider installed: call failwell.bootstrap.bootstrap() before authenticating"
        )
    return _provider


def authenticate_token(connection: Connection, secret: str) -> Actor | None:
    return _installed().authenticate_token(connection, secret)


def authenticate_web_session(connection: Connection, secret: str) -> SignedIn | None:
    return _installed().authenticate_web_session(connection, secret)
