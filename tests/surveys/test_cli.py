"""`failwell surveys list|create|open|close|results` through a live server."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from failwell.cli import main
from failwell.db import Database, utcnow
from failwell.enums import Role
from support import Org


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_surveys_from_the_terminal(
    capsys: pytest.CaptureFixture[str], org: Org, live_url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAILWELL_URL", live_url)
    monkeypatch.setenv("FAILWELL_TOKEN", org.tokens[Role.practice_owner])
    today = utcnow().date()
    code, out, err = run(
        capsys,
        "surveys",
        "create",
        "Winter pulse",
        "--opens",
        today.isoformat(),
        "--closes",
        (today + timedelta(days=5)).isoformat(),
        "--instrument",
        "westrum",
        "--item",
        "We can say no to risky deadlines.",
        "--json",
    )
    assert code == 0, err
    cid = json.loads(out)["id"]
    code, out, err = run(capsys, "surveys", "open", str(cid))
    assert code == 0 and "is open: 4 invited" in out, err
    code, out, _ = run(capsys, "surveys", "list")
    assert "Winter pulse" in out and "0/4" in out
    code, out, _ = run(capsys, "surveys", "results", str(cid))
    assert code == 0 and "Results appear when the campaign closes" in out
    code, out, _ = run(capsys, "surveys", "close", str(cid))
    assert code == 0 and "is closed" in out
    code, out, _ = run(capsys, "surveys", "results", str(cid), "--json")
    assert code == 0 and json.loads(out)["available"] is True
    code, out, _ = run(capsys, "surveys", "results", str(cid))
    assert "Organisation" in out and "withheld" in out
    monkeypatch.setenv("FAILWELL_TOKEN", org.tokens[Role.practitioner])
    code, _, err = run(capsys, "surveys", "open", str(cid))
    assert code != 0 and len(err.strip().splitlines()) == 1
