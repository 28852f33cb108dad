"""The `failwell` command starts light: the HTTP verbs a CI job runs load neither SQLAlchemy nor
the services, and every verb that opens the database has the event handlers wired first."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "failwell"
HEAVY = ("sqlalchemy", "numpy", "fastapi", "failwell.bootstrap", "failwell.db")


def _modules_after(code: str) -> list[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_database_layer() -> None:
    assert _modules_after("import failwell.cli") == []


def test_an_http_verb_runs_without_the_database_layer() -> None:
    # `--help` of a verb parses the whole command tree, as a real call does before it connects.
    code = (
        "from failwell.cli import main\n"
        "try:\n    main(['failure', 'report', '--help'])\nexcept SystemExit:\n    pass"
    )
    assert _modules_after(code) == []


def test_a_database_verb_wires_the_event_handlers_first(tmp_path: Path) -> None:
    code = (
        "import os\n"
        f"os.environ['FAILWELL_DATABASE_URL'] = 'sqlite:///{tmp_path / 'cli.db'}'\n"
        "from failwell.cli import main\n"
        "assert main(['db', 'upgrade']) == 0\n"
        "assert main(['team', 'create', '--name', 'payments']) == 0\n"
        "from failwell import events\n"
        "assert events._wired"
    )
    assert "failwell.bootstrap" in _modules_after(code)


def test_no_cli_module_opens_a_database_but_through_local_database() -> None:
    """`cli_support.local_database` wires the handlers; a CLI module constructing `Database`
    itself could raise domain events with nothing wired (events.NotWired)."""
    offenders = []
    for path in [*SRC.rglob("cli.py"), *SRC.rglob("*_cli.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Database":
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []
