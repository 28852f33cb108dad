"""Lists printed where stdout is not a terminal (CI logs, pipes) keep every value whole."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from cli.test_cli import run
from failwell import cli_support

LONG_TITLE = (
    "Checkout timeouts after the connection pool of the payments database was exhausted by a retry storm "
    "from the mobile clients during the Black Friday sale"
)


def test_long_titles_come_out_whole_when_not_a_tty(capsys: pytest.CaptureFixture[str], as_role) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(
        capsys, "failure", "report", "--title", LONG_TITLE, "--kind", "incident", "--service", "payments"
    )
    assert code == 0, err
    code, out, err = run(capsys, "failure", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Failures"
    assert [line for line in lines if LONG_TITLE in line], out  # whole, on one line
    assert not any(ch in out for ch in "│┃━─…"), "no table drawing and no ellipsis"


def test_plain_lines_align_columns_and_flatten_newlines() -> None:
    lines = cli_support.plain_lines(
        ["ID", "Title", "Due"], [["7", "Short", ""], ["12", "Two\nlines", "2026-03-01"]]
    )
    assert lines == [
        "ID  Title      Due",
        "7   Short",
        "12  Two lines  2026-03-01",
    ]


def test_a_terminal_still_gets_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(
        cli_support, "console", Console(file=screen, force_terminal=True, width=80, color_system=None)
    )
    cli_support.print_table("Failures", ["ID", "Title"], [[1, "Pool exhausted"]], total=3)
    out = screen.getvalue()
    assert "Pool exhausted" in out and "┃" in out
    assert "1 shown of 3" in out
