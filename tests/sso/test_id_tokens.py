"""The ID token checks, one refusal at a time, against ID tokens made here and signed with a key
that a small loopback provider (discovery document and key set only) publishes."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from failwell.sso.oidc import OidcClient, SsoError, forget_cached

CLIENT_ID = "failwell"
NONCE = "the-nonce-of-this-sign-in"
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    documents: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = documents.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body or {}).encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    documents["/.well-known/openid-configuration"] = {
        "issuer": url,
        "authorization_endpoint": url + "/authorize",
        "token_endpoint": url + "/token",
        "jwks_uri": url + "/jwks",
        "id_token_signing_alg_values_supported": ["RS256"],
    }
    # What a misconfigured provider would answer: another issuer's document under a tenant path.
    documents["/tenant/.well-known/openid-configuration"] = documents["/.well-known/openid-configuration"]
    documents["/jwks"] = {"keys": [KEY.as_dict(private=False)]}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    forget_cached()
    yield url
    server.shutdown()
    forget_cached()


def id_token(issuer: str, key: RSAKey = KEY, alg: str = "RS256", **changes: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": "person-1",
        "aud": CLIENT_ID,
        "nonce": NONCE,
        "iat": now,
        "exp": now + 300,
        "email": "ana@example.com",
    }
    claims.update(changes)
    return jwt.encode(
        {"alg": alg, "kid": "test-key"}, {k: v for k, v in claims.items() if v is not None}, key
    )


def client(issuer: str) -> OidcClient:
    return OidcClient(issuer, CLIENT_ID, "secret")


def test_a_good_id_token_gives_its_claims(issuer: str) -> None:
    claims = client(issuer).validate_id_token(id_token(issuer), NONCE)
    assert claims["sub"] == "person-1"
    assert claims["email"] == "ana@example.com"


def test_an_audience_list_with_this_client_and_azp_is_accepted(issuer: str) -> None:
    token = id_token(issuer, aud=[CLIENT_ID, "another-api"], azp=CLIENT_ID)
    assert client(issuer).validate_id_token(token, NONCE)["sub"] == "person-1"


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"iss": "https://evil.example"}, "issued by 'https://evil.example'"),
        ({"aud": "another-client"}, "meant for 'another-client'"),
        ({"aud": [CLIENT_ID, "another-api"]}, "issued to the client None"),
        ({"azp": "another-client"}, "issued to the client 'another-client'"),
        ({"nonce": "a-nonce-from-another-sign-in"}, "nonce does not match"),
        ({"nonce": None}, "nonce does not match"),
        ({"exp": int(time.time()) - 600}, "has expired"),
        ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}, "in the future"),
        ({"sub": ""}, "names no subject"),
    ],
    ids=[
        "issuer",
        "audience",
        "audiences-without-azp",
        "azp",
        "nonce",
        "no-nonce",
        "expired",
        "future",
        "sub",
    ],
)
def test_wrong_claims_are_refused_saying_which(issuer: str, changes: dict[str, Any], said: str) -> None:
    with pytest.raises(SsoError, match=said):
        client(issuer).validate_id_token(id_token(issuer, **changes), NONCE)


def test_an_expired_token_within_the_clock_leeway_is_accepted(issuer: str) -> None:
    token = id_token(issuer, exp=int(time.time()) - 30)
    assert client(issuer).validate_id_token(token, NONCE)["sub"] == "person-1"


def test_a_tampered_payload_is_refused(issuer: str) -> None:
    header, payload, signature = id_token(issuer).split(".")
    other_payload = id_token(issuer, sub="someone-else").split(".")[1]
    assert other_payload != payload
    with pytest.raises(SsoError, match="signature does not match"):
        client(issuer).validate_id_token(f"{header}.{other_payload}.{signature}", NONCE)


def test_a_token_signed_by_another_key_is_refused(issuer: str) -> None:
    with pytest.raises(SsoError, match="signature does not match"):
        client(issuer).validate_id_token(id_token(issuer, key=OTHER_KEY), NONCE)


def test_an_unsigned_token_is_refused(issuer: str) -> None:
    header, payload, _ = id_token(issuer).split(".")
    unsigned_header = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
    for token in (f"{unsigned_header}.{payload}.", f"{header}.{payload}.", "not a token"):
        with pytest.raises(SsoError):
            client(issuer).validate_id_token(token, NONCE)


def test_a_discovery_document_for_another_issuer_is_refused(issuer: str) -> None:
    forget_cached()
    with pytest.raises(SsoError, match="names the issuer"):
        OidcClient(issuer + "/tenant", CLIENT_ID, "secret").metadata()


def test_the_authorisation_url_carries_state_nonce_and_a_pkce_challenge(issuer: str) -> None:
    request = client(issuer).authorization_request("http://127.0.0.1:9/sign-in/sso/callback")
    assert request.url.startswith(issuer + "/authorize?")
    for part in (
        "response_type=code",
        f"client_id={CLIENT_ID}",
        f"state={request.state}",
        f"nonce={request.nonce}",
        "code_challenge_method=S256",
        "code_challenge=",
        "scope=openid+email+profile",
    ):
        assert part in request.url
    assert request.code_verifier not in request.url
    assert len({request.state, request.nonce, request.code_verifier}) == 3
