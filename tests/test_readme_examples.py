"""Every shell example in README.md runs as written against the demo that `make run` serves.

The ```sh blocks are read from the README, so an edited example is tested as it now reads. The
app is served on a loopback port with the demo organisation loaded and its published token, as
`make run` does; commands get FAILWELL_URL and FAILWELL_TOKEN, and the administration verbs an
empty SQLite database of their own (their block loads the demo into it). Runs on SQLite only:
the examples are the same on both databases.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from failwell.cli import DEMO_API_TOKEN, _ensure_demo_token
from failwell.db import Database
from failwell.demo.loader import load_demo
from failwell.migrate import upgrade
from support import serving

README = Path(__file__).resolve().parents[1] / "README.md"
README_SERVER = "http://127.0.0.1:8000"  # where `make run` listens; the test server's URL stands in

# Commands not run, by how they start, and why. Keep this short: everything else must pass.
NOT_RUN = {
    "make ": "Makefile targets: `run` serves the app (this test serves it), the others run the suite",
    "failwell serve": "starts a server that would not return",
    "failwell worker": "a delivery process that would not return",
    "failwell eval recurrence": "minutes of CPU on the shared evaluation sets (tests/recurrence covers it)",
}
# Blocks not run, by their first command, and why.
BLOCKS_NOT_RUN = {
    "export FAILWELL_DATABASE_URL=postgresql": "needs the PostgreSQL host it names (db.internal)",
}
# `failwell user create` asks for a password (twice): what a person would type.
TYPED = "an example password\nan example password\n"


@dataclass
class Block:
    line: int  # where the block starts in README.md
    commands: list[str]


def sh_blocks(text: str) -> list[Block]:
    """The ```sh blocks, as commands (continuation lines joined, blank lines dropped)."""
    blocks = []
    for match in re.finditer(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        line = text.count("\n", 0, match.start()) + 1
        joined = match.group(1).replace("\\\n", " ")
        blocks.append(Block(line, [c.strip() for c in joined.splitlines() if c.strip()]))
    return blocks


def skipped(command: str) -> str | None:
    return next((why for start, why in NOT_RUN.items() if command.startswith(start)), None)


BLOCKS = sh_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_and_the_allow_lists_are_all_used() -> None:
    assert len(BLOCKS) >= 4
    commands = [c for b in BLOCKS for c in b.commands]
    for start in [*NOT_RUN, *BLOCKS_NOT_RUN]:
        assert any(c.startswith(start) for c in commands), f"stale allow-list entry: {start!r}"
    # The skips leave most of the examples to run.
    assert sum(skipped(c) is None for c in commands) >= 15


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app serving the demo organisation with its published token, as `make run` does."""
    url = f"sqlite:///{tmp_path_factory.mktemp('readme') / 'demo.db'}"
    upgrade(url)
    db = Database(url, pool_size=4)
    try:
        load_demo(db)
        assert _ensure_demo_token(db)
        with serving(url, db) as base_url:
            yield base_url
    finally:
        db.dispose()


def _as_run_here(command: str, base_url: str) -> str:
    command = command.replace(README_SERVER, base_url)
    if command.startswith("curl "):
        # curl exits 0 on an error status unless told otherwise; the answer must be a success.
        command = "curl --silent --show-error --fail-with-body " + command.removeprefix("curl ")
    return command


@pytest.mark.parametrize("block", BLOCKS, ids=[f"sqlite-line-{b.line}" for b in BLOCKS])
def test_readme_example_block_runs(block: Block, demo_server: str, tmp_path: Path) -> None:
    first = block.commands[0]
    reason = next((why for start, why in BLOCKS_NOT_RUN.items() if first.startswith(start)), None)
    if reason:
        pytest.skip(reason)
    if any(c.startswith("curl ") for c in block.commands) and shutil.which("curl") is None:
        pytest.fail("curl is not installed")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "FAILWELL_URL": demo_server,
        "FAILWELL_TOKEN": DEMO_API_TOKEN,
        # Administration verbs: a database of their own, empty as the README's block expects.
        "FAILWELL_DATABASE_URL": f"sqlite:///{tmp_path / 'admin.db'}",
        "COLUMNS": "100",
    }
    exports: list[str] = []
    ran = 0
    for command in block.commands:
        if skipped(command):
            continue
        if command.startswith("export "):
            exports.append(command)
            continue
        script = "\n".join([*exports, _as_run_here(command, demo_server)])
        done = subprocess.run(
            ["bash", "-c", script],
            env=env,
            cwd=tmp_path,
            input=TYPED,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (
            f"README.md block at line {block.line}: `{command}` exited {done.returncode}\n"
            f"stdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-2000:]}"
        )
        ran += 1
    if ran == 0:
        pytest.skip(
            "every command of this block is allow-listed: "
            + "; ".join({skipped(c) or "" for c in block.commands})
        )
