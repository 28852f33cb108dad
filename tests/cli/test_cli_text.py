"""What people wrote is printed as they wrote it: square brackets in a title or a lesson are text,
not rich markup (a "[/var]" was a traceback after the failure was saved, "[bold]" lost its words);
and the deploy gate's refusal is one line, in agreeing words."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cli.test_cli import run
from factories import API, make_action
from support import Org

TITLE = "Disk [/var] full on db-1, [bold]again[/bold]"
LESSON = "Alert on [/var] usage at 80 % [red]before[/red] it fills."


def test_brackets_are_text_and_the_gate_says_one_line(
    capsys: pytest.CaptureFixture[str],
    as_role,  # type: ignore[no-untyped-def]
    client: TestClient,
    org: Org,
) -> None:
    code, out, err = run(
        capsys, "failure", "report", "--title", TITLE, "--kind", "incident", "--service", "payments"
    )
    assert code == 0, err
    assert TITLE in out
    failure_id = int(out.split("Reported failure ")[1].split()[0])
    code, out, err = run(capsys, "failure", "show", str(failure_id))
    assert code == 0 and TITLE in out, err
    r = client.post(
        f"{API}/failures/{failure_id}/review",
        headers=org.headers(),
        json={"summary": "The disk filled.", "lessons_learned": LESSON},
    )
    assert r.status_code == 201, r.text
    for status in ("in_review", "published"):
        moved = client.patch(
            f"{API}/reviews/{r.json()['id']}", headers=org.headers(), json={"status": status}
        )
        assert moved.status_code == 200, moved.text
    make_action(client, org, failure_id, "Alert on [/var] usage")
    code, out, err = run(capsys, "lessons", "--service", "payments", "--fail-on", "open")
    assert code == 3, (out, err)
    assert LESSON in out and "Alert on [/var] usage" in out
    assert "1 failure on record, 1 corrective action open" in out
    assert err.strip() == (
        "lessons gate: 1 corrective action of payments matches --fail-on open; finish it before deploying."
    )
