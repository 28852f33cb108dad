"""Real peers of the integrations tests: GitHub's example payloads from the npm registry, and
Debian's prometheus-alertmanager. Absent peers skip with a reason, except in CI
(CI=true or FAILWELL_REQUIRE_PEERS=1), where they fail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

OCTOKIT_EXAMPLES = "@octokit/webhooks-examples@7.6.1"
NPM_CACHE = Path(os.environ.get("FAILWELL_TEST_NPM_DIR", Path.home() / ".cache" / "failwell-test-npm"))
EXAMPLES_INDEX = (
    NPM_CACHE / "node_modules" / "@octokit" / "webhooks-examples" / "api.github.com" / "index.json"
)
ALERTMANAGER = Path("/usr/bin/prometheus-alertmanager")
REQUIRE_PEERS = os.environ.get("CI") == "true" or os.environ.get("FAILWELL_REQUIRE_PEERS") == "1"


def missing(reason: str) -> None:
    if REQUIRE_PEERS:
        pytest.fail(reason + " (required in CI)")
    pytest.skip(reason)


def github_examples() -> dict[str, list[dict[str, Any]]]:
    """Example payloads by event name, installed from the npm registry into a cache once."""
    if not EXAMPLES_INDEX.exists():
        npm = shutil.which("npm")
        if npm is None:
            missing("npm is not installed: cannot fetch " + OCTOKIT_EXAMPLES)
        NPM_CACHE.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(
                [
                    str(npm),
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    str(NPM_CACHE),
                    OCTOKIT_EXAMPLES,
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            missing(f"npm install {OCTOKIT_EXAMPLES} failed (no network?): {type(exc).__name__}")
    index = json.loads(EXAMPLES_INDEX.read_text())
    return {entry["name"]: entry["examples"] for entry in index}


def alertmanager_binary() -> Path:
    if not ALERTMANAGER.exists():
        missing(f"{ALERTMANAGER} is absent: apt-get install prometheus-alertmanager")
    return ALERTMANAGER
