"""`failwell integrations deliveries|replay|rule`: an unmapped delivery mapped from a terminal, on
the database directly; bad input is one line, a non-zero exit and no change."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from failwell.cli import main
from integrations.conftest import Hook

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(local_env: str, capsys: pytest.CaptureFixture[str]) -> Run:
    """`failwell ARGS` as a shell runs it: (exit code, stdout, stderr)."""

    def failwell(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return failwell


def test_map_and_replay_from_the_terminal(run: Run, make_hook: Callable[..., Hook]) -> None:
    hook = make_hook("generic")
    sent = hook.bearer({"repository": "acme/pay", "version": "2.0.0", "outcome": "succeeded"})
    assert sent.status_code == 200 and sent.json()["verdict"] == "unmapped", sent.text
    delivery_id = sent.json()["delivery_id"]

    code, out, _ = run("integrations", "deliveries", "--verdict", "unmapped")
    assert code == 0
    [header, row] = out.splitlines()[1:]
    assert header.split()[:5] == ["id", "received", "integration", "event", "verdict"]
    assert row.split()[0] == str(delivery_id)
    assert row.endswith("no rule maps repository 'acme/pay' to a service"), row  # whole, on one line
    code, out, _ = run("integrations", "deliveries", "--integration", str(hook.id), "--json")
    assert code == 0 and [d["id"] for d in json.loads(out)] == [delivery_id]

    code, out, _ = run("integrations", "replay", str(delivery_id))
    assert code == 1 and out.startswith(f"Delivery {delivery_id}: unmapped; no rule maps"), out

    code, out, _ = run(
        "integrations", "rule", "add", str(hook.id), "--when", "repository", "--matches", "acme/*",
        "--service", "payments",
    )  # fmt: skip
    assert code == 0 and "repository matching acme/* maps to payments" in out, out
    code, out, _ = run("integrations", "rule", "list", str(hook.id))
    assert code == 0 and "acme/*" in out and "payments" in out

    code, out, _ = run("integrations", "replay", str(delivery_id))
    assert code == 0 and out.startswith(f"Delivery {delivery_id}: accepted; "), out
    assert hook.deliveries()[0]["verdict"] == "accepted"
    # Twice would record the deployment twice: refused, in one line.
    code, _, err = run("integrations", "replay", str(delivery_id))
    assert code == 1 and err.count("\n") == 1 and "not replayed" in err, err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("rule", "add", "{id}", "--when", "repository", "--matches", "x"), "a rule maps to a service"),
        (("rule", "add", "{id}", "--when", "repository", "--matches", "x", "--service", "nope"), "nope"),
        (
            ("rule", "add", "999999", "--when", "repository", "--matches", "x", "--service", "payments"),
            "999999",
        ),
        (("replay", "999999"), "999999"),
        (("deliveries", "--verdict", "sideways"), "verdict"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    run: Run, make_hook: Callable[..., Hook], args: tuple[str, ...], says: str
) -> None:
    hook = make_hook("generic")
    code, _, err = run("integrations", *(a.format(id=hook.id) for a in args))
    assert code in (1, 2) and err.startswith("error: ") and err.count("\n") == 1 and says in err, err
    code, out, _ = run("integrations", "rule", "list", str(hook.id))
    assert code == 0 and len(out.splitlines()) == 2, out  # the title and the header: no rule
