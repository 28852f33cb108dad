"""The OpenID Connect relying party: discovery, the authorisation request (state, nonce, PKCE S256),
the code exchange and every check on the ID token. No database, no HTTP server: the pages call it.

Authlib builds the authorisation URL and makes the token request; joserfc checks the ID token's
signature against the provider's published keys. The claims are then checked here, one by one, so
each refusal says in plain words which check failed.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

# How long discovery documents and key sets are reused before being fetched again. A key the
# cached set lacks (the provider rotated its keys) makes one early refetch.
CACHE_SECONDS = 600.0
# Clock difference tolerated between this server and the provider, for exp and iat.
LEEWAY_SECONDS = 60
HTTP_TIMEOUT = httpx.Timeout(10.0)
# Public-key signatures only: "none" proves nothing, and HMAC would make the client secret a
# signing key that anyone holding the secret could use.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class SsoError(Exception):
    """A sign-in that cannot go on; `message` is said to the person as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    signing_algorithms: tuple[str, ...]


@dataclass(frozen=True)
class AuthorizationRequest:
    """What a sign-in keeps until the provider sends the browser back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


_cache_lock = threading.Lock()
_metadata_cache: dict[str, tuple[float, ProviderMetadata]] = {}
_keys_cache: dict[str, tuple[float, KeySet]] = {}


def forget_cached() -> None:
    """Drops every cached discovery document and key set (tests; a changed configuration)."""
    with _cache_lock:
        _metadata_cache.clear()
        _keys_cache.clear()


def _get_json(url: str, what: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoError(
            f"The sign-in service could not be reached for its {what} ({type(exc).__name__})."
        ) from exc
    if not isinstance(body, dict):
        raise SsoError(f"The sign-in service's {what} is not a JSON object.")
    return body


def _same_issuer(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


class OidcClient:
    """One configured provider and client. Cheap to make: caches are shared per issuer."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        scopes: str = "openid email profile",
        *,
        leeway: int = LEEWAY_SECONDS,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes if "openid" in scopes.split() else f"openid {scopes}"
        self.leeway = leeway

    # ---- discovery and keys ----------------------------------------------------------------

    def metadata(self) -> ProviderMetadata:
        now = time.monotonic()
        with _cache_lock:
            cached = _metadata_cache.get(self.issuer)
        if cached is not None and cached[0] > now:
            return cached[1]
        doc = _get_json(self.issuer.rstrip("/") + "/.well-known/openid-configuration", "discovery document")
        published = doc.get("issuer")
        # OpenID Connect Discovery 4.3: the document must name the issuer it was fetched for.
        if not isinstance(published, str) or not _same_issuer(published, self.issuer):
            raise SsoError(f"The discovery document names the issuer {published!r}, not {self.issuer!r}.")
        missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not doc.get(k)]
        if missing:
            raise SsoError("The discovery document lacks " + ", ".join(missing) + ".")
        offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = tuple(a for a in offered if a in ASYMMETRIC_ALGORITHMS)
        if not algorithms:
            raise SsoError(
                "The sign-in service signs ID tokens with no public-key algorithm failwell accepts."
            )
        end_session = doc.get("end_session_endpoint")
        metadata = ProviderMetadata(
            issuer=published,
            authorization_endpoint=str(doc["authorization_endpoint"]),
            token_endpoint=str(doc["token_endpoint"]),
            jwks_uri=str(doc["jwks_uri"]),
            end_session_endpoint=end_session if isinstance(end_session, str) and end_session else None,
            signing_algorithms=algorithms,
        )
        with _cache_lock:
            _metadata_cache[self.issuer] = (now + CACHE_SECONDS, metadata)
        return metadata

    def _keys(self, jwks_uri: str, *, refresh: bool = False) -> KeySet:
        now = time.monotonic()
        with _cache_lock:
            cached = _keys_cache.get(jwks_uri)
        if cached is not None and cached[0] > now and not refresh:
            return cached[1]
        doc = _get_json(jwks_uri, "signing keys")
        try:
            keys = KeySet.import_key_set(doc)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise SsoError("The sign-in service's signing keys could not be read.") from exc
        with _cache_lock:
            _keys_cache[jwks_uri] = (now + CACHE_SECONDS, keys)
        return keys

    # ---- the flow --------------------------------------------------------------------------

    def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        metadata = self.metadata()
        state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
        with self._oauth(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                metadata.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
            )
        return AuthorizationRequest(url=str(url), state=state, nonce=nonce, code_verifier=verifier)

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> dict[str, Any]:
        """The token response for an authorisation code; refuses one without an ID token."""
        metadata = self.metadata()
        try:
            with self._oauth(redirect_uri) as client:
                token = client.fetch_token(
                    metadata.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
        except Exception as exc:  # Authlib's OAuthError, httpx's errors, a body that is not JSON
            detail = getattr(exc, "description", None) or getattr(exc, "error", None) or type(exc).__name__
            raise SsoError(f"The sign-in service refused to finish the sign-in: {detail}.") from exc
        response = dict(token)
        if not isinstance(response.get("id_token"), str):
            raise SsoError("The sign-in service answered without an ID token.")
        return response

    def _oauth(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT.read,  # Authlib hands it on per request: a number, not a Timeout
        )

    # ---- the ID token ----------------------------------------------------------------------

    def validate_id_token(self, id_token: str, nonce: str, *, now: float | None = None) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, nonce and times hold."""
        metadata = self.metadata()
        try:
            token = self._decode(id_token, metadata, refresh=False)
        except BadSignatureError as exc:
            raise SsoError("The ID token's signature does not match the sign-in service's keys.") from exc
        except JoseError:
            # Perhaps the provider rotated its keys since they were cached: fetch them once more.
            try:
                token = self._decode(id_token, metadata, refresh=True)
            except JoseError as exc:
                raise SsoError(f"The ID token could not be verified ({type(exc).__name__}).") from exc
        except ValueError as exc:
            raise SsoError("The ID token is not a signed JSON Web Token.") from exc
        claims = dict(token.claims)
        self._check_claims(claims, metadata.issuer, nonce, time.time() if now is None else now)
        return claims

    def _decode(self, id_token: str, metadata: ProviderMetadata, *, refresh: bool) -> jwt.Token:
        keys = self._keys(metadata.jwks_uri, refresh=refresh)
        return jwt.decode(id_token, keys, algorithms=list(metadata.signing_algorithms))

    def _check_claims(self, claims: dict[str, Any], issuer: str, nonce: str, now: float) -> None:
        iss = claims.get("iss")
        if iss != issuer:
            raise SsoError(f"The ID token was issued by {iss!r}, not by {issuer!r}.")
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if self.client_id not in audiences:
            raise SsoError(f"The ID token is meant for {aud!r}, not for this failwell ({self.client_id!r}).")
        azp = claims.get("azp")
        if (azp is not None or len(audiences) > 1) and azp != self.client_id:
            raise SsoError(f"The ID token was issued to the client {azp!r}, not to {self.client_id!r}.")
        sent = claims.get("nonce")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, nonce):
            raise SsoError("The ID token's nonce does not match this sign-in: it may be replayed.")
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, (int, float)) or isinstance(exp, bool):
            raise SsoError("The ID token has no expiry time.")
        if now > exp + self.leeway:
            raise SsoError("The ID token has expired.")
        if not isinstance(iat, (int, float)) or isinstance(iat, bool) or iat > now + self.leeway:
            raise SsoError("The ID token has no issue time, or one in the future.")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise SsoError("The ID token names no subject.")

    def end_session_url(self, post_logout_redirect_uri: str) -> str | None:
        """Where to send the browser to sign out at the provider too (RP-initiated logout), or
        None when the provider publishes no end_session_endpoint or cannot be reached."""
        try:
            endpoint = self.metadata().end_session_endpoint
        except SsoError:
            return None
        if endpoint is None:
            return None
        query = httpx.QueryParams(client_id=self.client_id, post_logout_redirect_uri=post_logout_redirect_uri)
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
