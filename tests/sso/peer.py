"""The real OpenID Provider of these tests: npm's oidc-provider, run by provider.mjs on loopback.

Installed from the npm registry into the tests' npm cache once. Absent (no node, no npm, no
network), the tests that need it skip with the reason, except in CI, where they fail."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from integrations.peers import NPM_CACHE, missing

OIDC_PROVIDER = "oidc-provider@9.13.3"
MODULES = NPM_CACHE / "node_modules"
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "failwell-tests"
CLIENT_SECRET = "a-test-client-secret-that-is-long-enough-for-hs256"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        missing("node is not installed: cannot run " + OIDC_PROVIDER)
    assert found is not None
    if not (MODULES / "oidc-provider" / "lib" / "index.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            missing("npm is not installed: cannot fetch " + OIDC_PROVIDER)
        assert npm is not None
        NPM_CACHE.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NPM_CACHE), OIDC_PROVIDER],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            missing(f"npm install {OIDC_PROVIDER} failed (no network?): {type(exc).__name__}")
    return found


@contextmanager
def running_provider(port: int, app_url: str, accounts: dict[str, Any]) -> Iterator[str]:
    """oidc-provider on 127.0.0.1:port with one client registered for the app at app_url;
    yields its issuer URL. Any password signs in as the login typed (its development form)."""
    config = {
        "modules": str(MODULES),
        "port": port,
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "redirectUris": [f"{app_url}/sign-in/sso/callback"],
        "postLogoutRedirectUris": [f"{app_url}/sign-in"],
        "accounts": accounts,
    }
    process = subprocess.Popen(
        [node(), str(SCRIPT), json.dumps(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("ready "):
            raise RuntimeError(f"oidc-provider did not start (exit {process.poll()})")
        yield line.split(" ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
