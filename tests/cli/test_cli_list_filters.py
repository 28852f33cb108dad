"""`failure list` and `deploy list` take the filters their API lists take: severity, tag and a
time window for failures; a time window and a version or commit search for deployments."""

from __future__ import annotations

import json

import pytest

from failwell.cli import main
from failwell.enums import Role


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def titles(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    code, out, err = run(capsys, "failure", "list", "--json", *args)
    assert code == 0, err
    return sorted(f["title"] for f in json.loads(out)["items"])


def test_failure_list_filters(capsys: pytest.CaptureFixture[str], as_role) -> None:  # type: ignore[no-untyped-def]
    as_role(Role.practitioner)
    for title, severity, started, tag in (
        ("Checkout down", "1", "2026-03-01T10:00:00Z", "database"),
        ("Slow search", "3", "2026-04-01T10:00:00Z", "search"),
        ("Near miss", "5", "2026-05-01T10:00:00Z", "database"),
    ):
        args = ["--title", title, "--kind", "incident", "--severity", severity, "--started-at", started]
        code, _, err = run(capsys, "failure", "report", *args, "--tag", tag)
        assert code == 0, err
    assert titles(capsys, "--severity", "3") == ["Slow search"]
    assert titles(capsys, "--severity-at-least", "3") == ["Checkout down", "Slow search"]
    assert titles(capsys, "--tag", "database") == ["Checkout down", "Near miss"]
    assert titles(capsys, "--since", "2026-03-15", "--until", "2026-05-01T10:00:00Z") == ["Slow search"]
    code, _, err = run(capsys, "failure", "list", "--since", "last week")
    assert code == 2 and "--since" in err and len(err.strip().splitlines()) == 1, err


def test_deploy_list_filters(capsys: pytest.CaptureFixture[str], as_role) -> None:  # type: ignore[no-untyped-def]
    as_role(Role.practitioner)
    for version, sha, started in (
        ("1.4.0", "a1b2c3d4e5f6", "2026-03-01T10:00:00Z"),
        ("2.0.0", "ffee0011", "2026-04-01T10:00:00Z"),
    ):
        args = ["--service", "payments", "--version", version, "--outcome", "succeeded", "--commit", sha]
        code, _, err = run(capsys, "deploy", "record", *args, "--started-at", started)
        assert code == 0, err

    def versions(*args: str) -> list[str]:
        code, out, err = run(capsys, "deploy", "list", "--json", *args)
        assert code == 0, err
        return sorted(d["version"] for d in json.loads(out)["items"])

    assert versions("-q", "1.4") == ["1.4.0"]
    assert versions("--search", "ffee") == ["2.0.0"]
    assert versions("--since", "2026-03-15") == ["2.0.0"]
    assert versions("--until", "2026-03-15") == ["1.4.0"]
