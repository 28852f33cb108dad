"""Every refusal of the `failwell` command is one line on stderr and a non-zero exit code."""

from __future__ import annotations

import io

import pytest

from failwell.cli import main
from failwell.enums import Role
from failwell.settings import get_settings


def one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    assert code != 0, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: "), err
    return code, err.strip()


def test_invalid_input_is_one_line(
    capsys: pytest.CaptureFixture[str], local_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["db", "upgrade"]) == 0
    code, err = one_line_error(
        capsys, "user", "create", "--email", "not-an-address", "--name", "X", "--no-password"
    )
    assert code == 2 and err.startswith("error: email: ")
    code, err = one_line_error(
        capsys, "user", "create", "--email", "x@example.com", "--name", " ", "--no-password"
    )
    assert code == 2 and err.startswith("error: name: ")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, err = one_line_error(
        capsys, "user", "create", "--email", "x@example.com", "--name", "X", "--password-stdin"
    )
    assert code == 2 and err.startswith("error: password: ")
    code, err = one_line_error(capsys, "team", "create", "--name", "")
    assert code == 2 and err.startswith("error: name: ")
    code, err = one_line_error(capsys, "token", "create", "--user", "x@example.com", "--name", "")
    assert code == 1 and err == "error: user: unknown person 'x@example.com'"  # said once, not twice


def test_an_unusable_database_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for url in ("nosuchdialect://x", "postgresql+psycopg://nobody@127.0.0.1:1/none"):
        monkeypatch.setenv("FAILWELL_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            code, err = one_line_error(capsys, "user", "list")
        finally:
            get_settings.cache_clear()
        assert code == 1 and err.startswith("error: database: ")


def test_a_port_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # uvicorn would listen on 70000 - 65536 = 4464 while saying 70000.
    assert main(["serve", "--port", "70000", "--no-migrate"]) == 2
    assert "--port" in capsys.readouterr().err


def test_usage_errors_are_one_line_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = one_line_error(capsys, "failure", "list", "--status", "bogus")
    assert code == 2 and err.startswith("error: Invalid value for '--status': 'bogus' is not one of"), err
    assert err.endswith("(see failwell failure list --help)"), err
    code, err = one_line_error(capsys, "deploy", "record", "--service", "payments")
    assert code == 2 and err == "error: Missing option '--version'. (see failwell deploy record --help)"
    code, err = one_line_error(capsys, "nosuch")
    assert code == 2 and err == "error: No such command 'nosuch'. (see failwell --help)"
    # Known values are checked before asking the server, so a typo is a usage error everywhere.
    code, err = one_line_error(capsys, "problem", "list", "--status", "bogus")
    assert code == 2 and "'--status'" in err, err
    code, err = one_line_error(capsys, "metrics", "trend", "--period", "day")
    assert code == 2 and "'--period': 'day' is not one of 'week', 'month'" in err, err


def test_a_refusal_names_the_option_typed(capsys: pytest.CaptureFixture[str], as_role) -> None:  # type: ignore[no-untyped-def]
    as_role(Role.practitioner)
    record = ["deploy", "record", "--version", "1", "--outcome", "failed"]
    cases = [
        (
            [*record, "--service", "payments", "--commit", "XYZ"],
            "error: --commit: must be a commit SHA: 7 to",
        ),
        ([*record, "--service", "nope"], "error: --service: unknown service 'nope'"),
        (["failure", "list", "--team", "nobody"], "error: --team: unknown team 'nobody'"),
        (["failure", "list", "--tag", "Not A Tag"], "error: --tag: must be lower-case"),
        (["failure", "list", "-q", "x", "--sort", "bogus"], "error: --sort: "),
    ]
    for args, said in cases:
        code = main(args)
        err = capsys.readouterr().err
        assert code == 1 and err.startswith(said) and len(err.strip().splitlines()) == 1, (args, err)
