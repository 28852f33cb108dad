"""A reader that leaves early (`failwell lessons ... | head -1`) does not change what the command
says by its exit code: the lessons gate still exits 3, a list still 0, and nothing is printed
about a broken pipe."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient

from factories import make_action, make_failure
from failwell.enums import Role
from failwell.recurrence.cli import GATE_CLOSED
from support import Org


def _first_line_then_leave(live_url: str, org: Org, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "FAILWELL_URL": live_url, "FAILWELL_TOKEN": org.tokens[Role.practitioner]}
    proc = subprocess.Popen(
        [sys.executable, "-m", "failwell", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # as head does after its line
    code = proc.wait(timeout=60)
    return code, first, proc.stderr.read()


def test_the_gate_keeps_its_exit_code_when_the_reader_leaves(
    client: TestClient, org: Org, live_url: str
) -> None:
    failure = make_failure(client, org, "TLS certificate expired on the gateway")
    for i in range(40):  # more than a pipe's buffer holds, so the writer does meet the closed end
        make_action(
            client, org, failure["id"], f"Automate renewal, step {i} " + "x" * 200, priority="critical"
        )
    code, first, err = _first_line_then_leave(
        live_url, org, "lessons", "--service", org.service, "--fail-on", "open-critical"
    )
    assert code == GATE_CLOSED, (code, first, err)
    assert first.strip() and "BrokenPipe" not in err and "Traceback" not in err, err
    code, _, err = _first_line_then_leave(live_url, org, "action", "list", "--limit", "100")
    assert code == 0 and "Traceback" not in err, (code, err)
